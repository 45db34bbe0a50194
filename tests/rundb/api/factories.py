"""Small factories for API tests (independent of the catalog loader)."""
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from rundb import models as m
from rundb.api.keys import issue_key
from rundb.api.permissions import ensure_ionusers_group

_seq = itertools.count(1)


def user(username=None, *, superuser=False, groups=(), password="pw", active=True):
    """(user, plain API key)."""
    User = get_user_model()
    username = username or f"user{next(_seq)}"
    if superuser:
        u = User.objects.create_superuser(username=username, email=f"{username}@example.org", password=password)
    else:
        u = User.objects.create_user(username=username, email=f"{username}@example.org", password=password)
    if groups:
        ensure_ionusers_group()  # live-server tests flush the tables the migration filled
    for name in groups:
        u.groups.add(Group.objects.get(name=name))
    if not active:
        u.is_active = False
        u.save()
    return u, issue_key(u)


def catalog():
    """The rows planning and the API examples need: chips, kits, barcodes, key, flow order."""
    order = m.FlowOrder.objects.create(name="Ion samba", description="Ion default samba flow order",
                                       flowOrder="TACGTACGTCTGAGCATCGATCGATGTACAGC", isDefault=True, isSystem=True)
    for name, desc, itype, active in [
        ("314", "314v2", "pgm", False), ("316", "316v2", "pgm", True), ("318", "318v2", "pgm", True),
        ("520", "520", "S5", True), ("530", "530", "S5", True), ("540", "Ion 540 Chip", "S5", True),
        ("P1.1.17", "PI", "proton", True),
    ]:
        m.Chip.objects.create(name=name, description=desc, instrumentType=itype, isActive=active)
    kits = [
        ("SequencingKit", "Ion S5 Sequencing Kit", "Ion S5 Sequencing Kit", 500, "SEQ0001"),
        ("LibraryKit", "Ion Xpress Plus Fragment Library Kit", "Ion Xpress Plus Fragment Library Kit", 0, "LIB0001"),
        ("TemplatingKit", "Ion 520/530 Kit-OT2", "Ion 520 & Ion 530 Kit - OT2", 0, "TMPL0001"),
        ("IonChefPrepKit", "Ion Chef S530 V1", "Ion 530 Kit-Chef", 0, "CHEF0001"),
    ]
    for kit_type, name, desc, flows, uid in kits:
        kit = m.KitInfo.objects.create(kitType=kit_type, name=name, description=desc, flowCount=flows, uid=uid,
                                       defaultFlowOrder=order if kit_type == "SequencingKit" else None)
        m.KitPart.objects.create(kit=kit, barcode=f"P{uid}")
    seqs = ["CTAAGGTAAC", "TAAGGAGAAC", "AAGAGGATTC", "TACCAAGATC", "CAGAAGGAAC", "CTGCAAGTTC",
            "TTCGTGATTC", "TTCCGATAAC"]
    for i, seq in enumerate(seqs, start=1):
        m.dnaBarcode.objects.create(name="IonXpress", id_str=f"IonXpress_{i:03d}", sequence=seq, index=i,
                                    length=len(seq), type="none", adapter="GAT", score_cutoff=2, score_mode=1)
    for i, seq in enumerate(["TTCA", "GGAT"], start=1):
        m.dnaBarcode.objects.create(name="MuSeek", id_str=f"MuSeek_{i:03d}", sequence=seq, index=i, length=4)
    m.LibraryKey.objects.create(name="Ion TCAG", sequence="TCAG", isDefault=True, description="Default")
    m.ThreePrimeAdapter.objects.create(name="Ion P1B", sequence="ATCACCGACTGCCCATAGAGAGGCTGAGAC", uid="FWD_0001",
                                       isDefault=True)
    group = m.ApplicationGroup.objects.create(name="DNA", description="DNA", uid="APPLGROUP_0001")
    run_type = m.RunType.objects.create(runType="GENS", description="Generic Sequencing", alternate_name="Other")
    run_type.applicationGroups.add(group)
    m.SampleGroupType_CV.objects.create(displayedName="Self", uid="SAMPLEGROUP_CV_0001")
    m.QCType.objects.create(qcName="Bead Loading (%)", defaultThreshold=30)
    m.GlobalConfig.get()
    return order


def storage():
    obj = m.ReportStorage.objects.filter(default=True).first()
    return obj or m.ReportStorage.objects.create(name="Home", webServerPath="/output",
                                                 dirPath="/results/analysis/output", default=True)


def experiment(name=None, **kw):
    name = name or f"R_2024_run{next(_seq)}"
    defaults = dict(expName=name, unique=f"/results/PGM/{name}", expDir=f"/results/PGM/{name}", chipType="520",
                    flows=500, ftpStatus="Complete", pgmName="S16", displayName=name.replace("_", " "),
                    status="run", platform="S5", log={"runtype": "AMPS"})
    defaults.update(kw)
    return m.Experiment.objects.create(**defaults)


def result(exp=None, name=None, *, metrics=True, **kw):
    exp = exp or experiment()
    name = name or f"Auto_{exp.expName}"
    res = m.Results.objects.create(experiment=exp, reportstorage=storage(), resultsName=name,
                                   status=kw.pop("status", "Completed"), timeStamp=kw.pop("timeStamp", timezone.now()),
                                   **kw)
    if metrics:
        m.LibMetrics.objects.create(report=res, totalNumReads=94_000_000, total_mapped_reads=14_055_892_515,
                                    aveKeyCounts=88.0)
        m.QualityMetrics.objects.create(report=res, q0_bases=14_055_892_515, q0_reads=93_969_124,
                                        q0_mean_read_length=149.58)
        m.AnalysisMetrics.objects.create(report=res, bead=140_400_602, total=164_699_136, lib=139_085_639)
        m.TFMetrics.objects.create(report=res, name="TF_C", Q10Mean=92.0, HPAccuracy="0 : 1/1")
    return res


def plugin(name="coverageAnalysis", version="5.4.0.0", **kw):
    kw.setdefault("path", f"/results/plugins/{name}")
    kw.setdefault("pluginsettings", {"runlevels": ["default"], "features": [], "depends": [], "runtypes": []})
    return m.Plugin.objects.create(name=name, version=version, **kw)


def plugin_result(res, plug, owner, *, state="Completed", store=None, started=True):
    """A run with one job; its plain key (the database holds the hash) is ``pr.plain_apikey``."""
    pr = m.PluginResult(result=res, plugin=plug, owner=owner, store=store or {}, size=32843, inodes=7)
    pr.regenerate_apikey()
    pr.save()
    now = timezone.now()
    m.PluginResultJob.objects.create(plugin_result=pr, state=state, run_level="default", grid_engine_jobid=-1,
                                     starttime=now if started else None, apikey_hash=pr.apikey,
                                     endtime=now if state in ("Completed", "Error") else None)
    return pr


def report_with_queued_plugin():
    """An experiment and its report, the superuser ionadmin (and its API key), and a Queued,
    not yet started result of plugin Foo on the report: what the write and action tests act on."""
    exp = experiment()
    res = result(exp)
    admin, key = user("ionadmin", superuser=True)
    plug = plugin("Foo")
    pr = plugin_result(res, plug, admin, state="Queued", started=False)
    return {"experiment": exp, "result": res, "plugin": plug, "pr": pr, "user": admin, "key": key}
