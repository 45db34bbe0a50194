"""Rows for the resources the shared spec data set (test_spec_fields.world) does not cover."""
from rundb import models as m


def populate(user, result):
    """Add what the conformance test needs beyond ``world``; grows with each new resource."""
    kit = m.KitInfo.objects.create(kitType="LibraryPrepKit", name="Ion Chef HID Library V2", uid="LPREP0003",
                                   description="Precision ID Chef DL8", samplePrep_instrumentType="IC")
    m.KitPart.objects.create(kit=kit, barcode="A32926C")
