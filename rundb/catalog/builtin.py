"""The small catalog every installation starts with, written for this project.

It covers what planning and ingest cannot do without: the library and test-fragment keys,
the standard flow orders, the chips by instrument, the kits that the SDK's planning
examples name, the default 3' adapter, the run types and application groups, and the
site rows (location, file server, report storage, global config).

Barcode kits and the full kit list are not here: they are in the project's data folder
(rundb/catalog/data, loaded first by ``loader.load_catalog``). Where a row also exists
there it carries the same natural key (name, uid), so the two sources meet on one row
instead of duplicating it, and the data folder's values win.

The objects use the fixture shape so that they go through the same importer.
"""
from django.conf import settings

SAMBA_32 = "TACGTACGTCTGAGCATCGATCGATGTACAGC"


def _objects(model, rows):
    return [{"model": model, "fields": dict(row)} for row in rows]


LIBRARY_KEYS = [
    {"name": "Ion TCAG", "direction": "Forward", "sequence": "TCAG", "runMode": "single", "isDefault": True,
     "description": "Default library key"},
    {"name": "Ion ATCG", "direction": "Forward", "sequence": "ATCG", "runMode": "single", "isDefault": False,
     "description": "Test fragment key"},
]

FLOW_ORDERS = [
    {"name": "Ion samba", "flowOrder": SAMBA_32, "isSystem": True, "isDefault": True, "isActive": True,
     "description": "32-flow samba order used by current instruments"},
    {"name": "Ion TACG", "flowOrder": "TACG", "isSystem": True, "isDefault": False, "isActive": True,
     "description": "Plain 4-flow cycle"},
]

THREE_PRIME_ADAPTERS = [
    {"uid": "FWD_0001", "name": "Ion P1B", "direction": "Forward", "runMode": "single", "isDefault": True,
     "sequence": "ATCACCGACTGCCCATAGAGAGGCTGAGAC", "description": "Default forward adapter"},
]

# (name, description, instrument type)
CHIPS = [
    ("314", "Ion 314 Chip", "pgm"),
    ("316", "Ion 316 Chip", "pgm"),
    ("318", "Ion 318 Chip", "pgm"),
    ("510", "Ion 510 Chip", "S5"),
    ("520", "Ion 520 Chip", "S5"),
    ("530", "Ion 530 Chip", "S5"),
    ("540", "Ion 540 Chip", "S5"),
    ("550", "Ion 550 Chip", "S5"),
    ("P1.1.17", "Ion PI Chip", "proton"),
]

KITS = [
    {"uid": "SEQ0023", "name": "Ion S5 Sequencing Kit", "kitType": "SequencingKit", "description":
     "Ion S5 Sequencing Kit", "instrumentType": "S5", "flowCount": 500, "categories": "flowOverridable;"},
    {"uid": "LIB0004", "name": "Ion Xpress Plus Fragment Library Kit", "kitType": "LibraryKit",
     "description": "Ion Xpress Plus Fragment Library Kit", "nucleotideType": "dna"},
    {"uid": "TEMPLT0015", "name": "Ion 520/530 Kit-OT2", "kitType": "TemplatingKit",
     "description": "Ion 520 and 530 templating on the OneTouch 2", "instrumentType": "S5",
     "samplePrep_instrumentType": "OT", "chipTypes": "520;530", "libraryReadLength": 200},
]

APPLICATION_GROUPS = [
    {"uid": "APPLGROUP_0001", "name": "DNA", "description": "DNA"},
    {"uid": "APPLGROUP_0002", "name": "RNA", "description": "RNA"},
]

# (runType, description, nucleotide type, application group uid)
RUN_TYPES = [
    ("GENS", "Generic Sequencing", "dna", "APPLGROUP_0001"),
    ("AMPS", "AmpliSeq DNA", "dna", "APPLGROUP_0001"),
    ("TARS", "TargetSeq", "dna", "APPLGROUP_0001"),
    ("WGNM", "Whole Genome", "dna", "APPLGROUP_0001"),
    ("AMPS_EXOME", "AmpliSeq Exome", "dna", "APPLGROUP_0001"),
    ("RNA", "RNA Sequencing", "rna", "APPLGROUP_0002"),
    ("AMPS_RNA", "AmpliSeq RNA", "rna", "APPLGROUP_0002"),
]


def catalog_objects():
    objs = []
    objs += _objects("rundb.librarykey", LIBRARY_KEYS)
    objs += _objects("rundb.floworder", FLOW_ORDERS)
    objs += _objects("rundb.threeprimeadapter", THREE_PRIME_ADAPTERS)
    objs += _objects(
        "rundb.chip",
        [{"name": n, "description": d, "instrumentType": t, "slots": 1, "isActive": True} for n, d, t in CHIPS],
    )
    objs += _objects("rundb.kitinfo", [{"isActive": True, **kit} for kit in KITS])
    objs += _objects("rundb.applicationgroup", [{"isActive": True, **g} for g in APPLICATION_GROUPS])
    objs += _objects(
        "rundb.runtype",
        [{"runType": rt, "description": d, "alternate_name": d, "nucleotideType": nt} for rt, d, nt, _ in RUN_TYPES],
    )
    objs += [
        {"model": "rundb.runtype_applicationgroups", "fields": {"runtype": [rt], "applicationgroup": [group]}}
        for rt, _, _, group in RUN_TYPES
    ]
    return objs


def site_objects():
    """Location, file server, report storage and global config for this machine's paths."""
    return [
        {"model": "rundb.location", "fields": {"name": "Home", "defaultlocation": True,
                                               "comments": "Created at installation"}},
        {"model": "rundb.fileserver", "fields": {"name": "Home", "location": ["Home"],
                                                 "filesPrefix": str(settings.ION_RESULTS_ROOT)}},
        {"model": "rundb.reportstorage", "fields": {"name": "Home", "default": True,
                                                    "webServerPath": settings.ION_REPORT_WEB_ROOT,
                                                    "dirPath": str(settings.ION_REPORT_ROOT)}},
        {"model": "rundb.globalconfig", "fields": {"name": "Config", "site_name": "Torrent Server",
                                                   "default_library_key": "TCAG",
                                                   "default_test_fragment_key": "ATCG"}},
    ]


def builtin_objects():
    return catalog_objects() + site_objects()
