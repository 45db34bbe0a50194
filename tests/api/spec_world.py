"""Rows for the resources the shared spec data set (test_spec_fields.world) does not cover."""
import uuid

from django.utils import timezone

from rundb import models as m


def populate(user, result):
    """Add what the conformance test needs beyond ``world``; grows with each new resource."""
    kit = m.KitInfo.objects.create(kitType="LibraryPrepKit", name="Ion Chef HID Library V2", uid="LPREP0003",
                                   description="Precision ID Chef DL8", samplePrep_instrumentType="IC")
    m.KitPart.objects.create(kit=kit, barcode="A32926C")
    chef = dict(templatingKitName="Ion Chef S530 V1", date=timezone.now(), planGUID=str(uuid.uuid4()))
    pending = m.PlannedExperiment.objects.create(planName="chef_plan", planStatus="pending", planShortID="CHEF1",
                                                 username="ionadmin", **chef)
    m.Experiment.objects.create(plan=pending, expName=pending.planGUID, unique=pending.planGUID)
    m.PlannedExperiment.objects.create(planName="chef_template", isReusable=True, planStatus="planned",
                                       planShortID="CHEF2", **chef)
    m.PlannedExperiment.objects.create(planName="ot_template", isReusable=True, planStatus="planned",
                                       planShortID="OT001", templatingKitName="Ion 520/530 Kit-OT2",
                                       date=timezone.now(), planGUID=str(uuid.uuid4()))
