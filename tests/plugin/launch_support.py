"""Fixtures for the install/launch/run-level tests: tiny plugin zips, a report with its
experiment and analysis settings, users. Test modules import what they use from here."""
import base64
import json
import textwrap
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model


def plugin_py(name, body="", *, version="1.0.0.0", attrs="", doc="A tiny test plugin.", class_name=None):
    """Source of `<name>.py` with one IonPlugin class; `body` is the launch() body."""
    body = textwrap.indent(textwrap.dedent(body).strip("\n") or "return True", " " * 8)
    attrs = textwrap.indent(textwrap.dedent(attrs).strip("\n"), " " * 4)
    return (
        "import json, os, sys\n"
        "from ion.plugin import *\n\n\n"
        f"class {class_name or name}(IonPlugin):\n"
        f"    {doc!r}\n"
        f"    version = {version!r}\n"
        f"{attrs}\n\n"
        "    def launch(self, data=None):\n"
        f"{body}\n\n\n"
        "if __name__ == '__main__':\n"
        "    PluginCLI()\n"
    )


def make_plugin_zip(dest_dir, name, body="", *, version="1.0.0.0", attrs="", files=None, py=True, class_name=None):
    """Write <dest_dir>/<name>-<version>.zip holding <name>/<name>.py (+ `files`)."""
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    path = dest_dir / f"{name}-{version}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        if py:
            zf.writestr(f"{name}/{name}.py", plugin_py(name, body, version=version, attrs=attrs, class_name=class_name))
        for rel, content in (files or {}).items():
            zf.writestr(f"{name}/{rel}", content)
    return path


def basic_auth(username, password):
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


@pytest.fixture
def zips(tmp_path):
    """make(name, body="", **kw) -> zip path in a folder outside the results root."""
    folder = tmp_path / "zips"

    def make(name, body="", **kwargs):
        return make_plugin_zip(folder, name, body, **kwargs)

    return make


@pytest.fixture
def fast_hasher(settings):
    """Basic auth hashes the password on every request; keep that cheap in tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_user(db, fast_hasher):
    return get_user_model().objects.create_superuser("ionadmin", "admin@example.com", "ionadmin")


@pytest.fixture
def plain_user(db, fast_hasher):
    from rundb.api.permissions import ensure_ionusers_group

    user = get_user_model().objects.create_user("ionuser", "user@example.com", "ionuser")
    user.groups.add(ensure_ionusers_group())
    return user


@pytest.fixture
def admin_auth(admin_user):
    return basic_auth("ionadmin", "ionadmin")


@pytest.fixture
def user_auth(plain_user):
    return basic_auth("ionuser", "ionuser")


def create_report(
    *, name="Auto_user_run1", barcode_kit="", reference="", selected_plugins=None, rawdatastyle="single",
    barcoded_samples=None, thumb=False,
):
    """A Results row with experiment, plan, EAS and a report folder on disk."""
    from rundb.models import Experiment, ExperimentAnalysisSettings, PlannedExperiment, ReportStorage, Results, Sample

    root = Path(settings.ION_REPORT_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    storage, _ = ReportStorage.objects.get_or_create(
        name="Home", defaults={"webServerPath": "/output/Home", "dirPath": str(root), "default": True}
    )
    raw = Path(settings.ION_RESULTS_ROOT) / "PGM_test" / name
    raw.mkdir(parents=True, exist_ok=True)
    plan = PlannedExperiment.objects.create(
        planName=f"plan_{name}", runType="GENS", username="ionadmin", barcodeId=barcode_kit,
        selectedPlugins=selected_plugins or {}, planShortID="ABCDE",
    )
    exp = Experiment.objects.create(
        expName=f"R_2024_01_01_{name}", unique=str(raw), expDir=str(raw), chipType="314", pgmName="PGM_test",
        flows=260, flowsInOrder="TACG" * 8, platform="PGM", rawdatastyle=rawdatastyle, plan=plan,
        chipBarcode="AA0026665", notes="a note",
    )
    eas = ExperimentAnalysisSettings.objects.create(
        experiment=exp, libraryKey="TCAG", tfKey="ATCG", reference=reference, barcodeKitName=barcode_kit,
        selectedPlugins=selected_plugins or {}, barcodedSamples=barcoded_samples or {},
        targetRegionBedFile="", hotSpotRegionBedFile="", sseBedFile="",
    )
    sample, _ = Sample.objects.get_or_create(name="sample1", externalId="EXT-1", defaults={"displayedName": "sample 1"})
    sample.experiments.add(exp)
    result = Results.objects.create(
        experiment=exp, eas=eas, reportstorage=storage, resultsName=name, reference=reference,
        runid="ZN2MB", metaData={"thumb": 1} if thumb else {},
    )
    result.report_dir.mkdir(parents=True, exist_ok=True)
    return result


@pytest.fixture
def report(db):
    return create_report()


def write_datasets(result, datasets, read_groups):
    folder = Path(result.report_dir) / "basecaller_results"
    folder.mkdir(parents=True, exist_ok=True)
    data = {"meta": {"format_name": "Dataset Map", "format_version": "1.0"}, "datasets": datasets,
            "read_groups": read_groups}
    (folder / "datasets_basecaller.json").write_text(json.dumps(data))
    return folder / "datasets_basecaller.json"


def install(zip_path):
    from plugin.services.install import install_from_zip

    return install_from_zip(zip_path)


def launch_base_and_dependent(user, zips, base, dependent, depends):
    """Plugin `base` and plugin `dependent` (its `depends` list naming `base`), installed and
    launched in that order on a new report; returns (report, base result, dependent result)."""
    from plugin.services.launch import launch_plugin

    first = install(zips(base))
    second = install(zips(dependent, attrs=f"depends = {list(depends)!r}"))
    result = create_report()
    return result, launch_plugin(result, first, user=user), launch_plugin(result, second, user=user)


def load_json(path):
    return json.loads(Path(path).read_text())
