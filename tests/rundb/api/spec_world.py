"""The spec tests' data: ``base`` (a row of each resource the first resources need) and
``populate`` (rows of the resources added since)."""
import uuid

from django.utils import timezone

from rundb import models as m

from . import factories


def base(api, user, *, meta_data=None):
    """One row of every resource the spec test data covers (a run, its report, plan, sample set,
    catalog, site rows), through the API where the API makes them; returns the report."""
    user.last_login = timezone.now()
    user.save()
    exp = factories.experiment(**({"metaData": meta_data} if meta_data is not None else {}))
    res = factories.result(exp)
    project = m.Project.objects.create(name="demo", creator=user)
    res.projects.add(project)
    eas = m.ExperimentAnalysisSettings.objects.create(experiment=exp, reference="hg19", barcodeKitName="IonXpress",
                                                      date=timezone.now())
    res.eas = eas
    res.save()
    exp.repResult = res
    exp.save()
    plug = factories.plugin()
    factories.plugin_result(res, plug, user)
    sample = m.Sample.objects.create(name="s1", displayedName="s1")
    sample.experiments.add(exp)
    sset = m.SampleSet.objects.create(displayedName="set1", SampleGroupType_CV=m.SampleGroupType_CV.objects.first())
    m.SampleSetItem.objects.create(sample=sample, sampleSet=sset, dnabarcode=m.dnaBarcode.objects.first())
    m.ReferenceGenome.objects.create(name="hg19", short_name="hg19")
    loc = m.Location.objects.create(name="Home", defaultlocation=True)
    m.Rig.objects.create(name="S16", location=loc)
    m.FileServer.objects.create(name="Home", filesPrefix="/results/", location=loc)
    m.EventLog.objects.create(text="hello", object_pk=res.pk, username="ionadmin")
    m.Message.objects.create(body="hi")
    pub = m.Publisher.objects.create(name="BED")
    up = m.ContentUpload.objects.create(publisher=pub, file_path="/x.bed")
    m.Content.objects.create(publisher=pub, contentupload=up, file="/x.bed", path="/hg19/x.bed")
    m.Template.objects.create(name="TF_C", key="ATCG", sequence="TACG")
    m.GlobalConfig.objects.get_or_create(name="Config")
    response = api.post("plannedexperiment/", {
        "planName": "spec_plan", "chipType": "520", "templatingKitName": "Ion 520/530 Kit-OT2", "sample": "s2",
        "project": "demo",
    })
    assert response.status_code == 201, response.content
    return res


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
    _populate_new_tables(user, result)


def _populate_new_tables(user, result):
    from django.contrib.contenttypes.models import ContentType

    chip = m.Chip.objects.first()
    runtype = m.RunType.objects.create(runType="AMPS_RNA", description="AmpliSeq RNA")
    group = m.ApplicationGroup.objects.create(name="RNA", uid="APPLGROUP_0002")
    runtype.applicationGroups.add(group)
    m.AnalysisArgs.objects.create(name="default_520", description="Ion 520 chip default", chipType=chip.name,
                                  chip_default=True, beadfindargs="justBeadFind", analysisargs="Analysis",
                                  basecallerargs="BaseCaller", creator=user, applGroup=group)
    m.ApplProduct.objects.create(productCode="AMPS_RNA_2", productName="AMPS_RNA_2", applType=runtype,
                                 applicationGroup=group, defaultSequencingKit=m.KitInfo.objects.first())
    m.Common_CV.objects.create(cv_type="samplePrepProtocol", value="anneal62", displayedValue="Hi-Q Chef for STR",
                               uid="CV0001")
    sgt = m.SampleGroupType_CV.objects.first()
    m.SampleAnnotation_CV.objects.create(value="Sample", annotationType="relationshipRole", sampleGroupType_CV=sgt,
                                         uid="SAMPLEANNOTATE_CV_0001")
    text = m.SampleAttributeDataType.objects.create(dataType="Text", description="Up to 1024 characters")
    m.SampleAttribute.objects.create(displayedName="Tissue", dataType=text)
    m.SamplePrepData.objects.create(sampleSet=m.SampleSet.objects.first(), samplePrepDataType="lib_prep",
                                    instrumentName="chef1", lastUpdate=timezone.now(), logPath="/x.log")
    m.EmailAddress.objects.create(email="ops@example.org", selected=True)
    monitor = m.FileMonitor.objects.create(url="http://example.org/hg19.zip", name="hg19.zip", size=4663793607,
                                           progress=4663793607, status="Complete", md5sum="0" * 32)
    m.SupportUpload.objects.create(result=result, file=monitor, contact_email="ops@example.org")
    m.UserEventLog.objects.create(text="upload started", upload=m.ContentUpload.objects.first())
    m.MonitorData.objects.create(name="disk", treeDat={"a": 1})
    m.IonMeshNode.objects.create(hostname="peer.example.org", name="peer", system_id=str(uuid.uuid4()),
                                 apikey_local="a" * 40, apikey_remote="b" * 40)
    results_type = ContentType.objects.get_for_model(m.Results)
    m.EventLog.objects.create(text="Export Pending", object_pk=result.pk, content_type=results_type,
                              username="ionadmin")
    m.EventLog.objects.create(text="node1\nstate: G\nerror: ", username="cluster")
    exp = result.experiment
    exp.expDir = "/results/run1"
    exp.date = timezone.now()
    exp.status = "run"
    exp.save()
    result.timeStamp = timezone.now()
    result.save()
