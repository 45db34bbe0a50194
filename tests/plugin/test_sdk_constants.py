"""ion.plugin enumerations and the star-import surface."""
import ion.plugin
from ion.plugin import Feature, RunLevel, RunType, lookupEnum, runLevelsList
from ion.plugin.constants import enum_values

import plugin.introspect as server_inspect


def test_enum_values_are_the_documented_strings():
    assert (RunType.FULLCHIP, RunType.THUMB, RunType.COMPOSITE) == ("wholechip", "thumbnail", "composite")
    assert (RunLevel.PRE, RunLevel.DEFAULT, RunLevel.BLOCK, RunLevel.POST, RunLevel.SEPARATOR, RunLevel.LAST) == (
        "pre", "default", "block", "post", "separator", "last")
    assert Feature.EXPORT == "export"


def test_run_levels_list_is_launch_order():
    assert runLevelsList() == ["pre", "block", "separator", "default", "post", "last"]


def test_lookup_enum_returns_member_name_or_none():
    assert lookupEnum(RunLevel, "last") == "LAST"
    assert lookupEnum(RunType, "thumbnail") == "THUMB"
    assert lookupEnum(Feature, "EXPORT") is None


def test_star_import_exposes_the_sdk():
    namespace = {}
    exec("from ion.plugin import *", namespace)
    for name in ("IonPlugin", "PluginCLI", "cli", "RunType", "RunLevel", "Feature", "lookupEnum", "runLevelsList"):
        assert name in namespace, name
    assert ion.plugin.__version__ == "3.0"


def test_server_side_allowed_sets_match_the_sdk():
    # plugin/introspect.py keeps its own copy so the server never imports the SDK
    assert server_inspect.ALLOWED_RUNTYPES == enum_values(RunType)
    assert server_inspect.ALLOWED_RUNLEVELS == enum_values(RunLevel)
    assert server_inspect.ALLOWED_FEATURES == enum_values(Feature)
