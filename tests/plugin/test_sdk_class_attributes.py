"""IonPlugin class attributes, metaclass coercions and the registry."""
import warnings

import pytest
from ion.plugin import IonPlugin, RunLevel, RunType
from ion.plugin.info import EXTRA_KEYS, INFO_KEYS, plugin_info
from ion.plugin.registry import registry

REFERENCE_INFO_KEYS = {"_meta", "name", "version", "config", "runtypes", "features", "runlevels", "depends",
                       "docs", "major_block", "pluginorm", "requires_configuration"}


def test_defaults_of_a_minimal_plugin():
    class AttrMinimal(IonPlugin):
        """Minimal."""
        version = "1.2.3.4"

    assert AttrMinimal.name == "AttrMinimal"
    assert AttrMinimal.__version__ == "1.2.3.4"
    assert AttrMinimal.runtypes == [] and AttrMinimal.runlevels == [] and AttrMinimal.features == []
    assert AttrMinimal.depends == [] and AttrMinimal.major_block is False
    assert AttrMinimal.requires == ["BAM"] and AttrMinimal.allow_autorun is True
    assert AttrMinimal.requires_configuration is False


def test_version_and_author_are_coerced_to_strings():
    class AttrNumericVersion(IonPlugin):
        """x"""
        version = 2.5
        author = None

    class AttrNoVersion(IonPlugin):
        """x"""

    assert AttrNumericVersion.version == "2.5"
    assert AttrNumericVersion.author == "(Unknown)"
    assert AttrNoVersion.version == "(Unknown)"


def test_callable_version_is_evaluated_at_class_creation():
    calls = []

    class AttrCallableVersion(IonPlugin):
        """x"""
        @classmethod
        def version(cls):
            calls.append(cls)
            return "3.0.0.1"

    assert AttrCallableVersion.version == "3.0.0.1"
    assert len(calls) == 1


def test_callable_list_attributes_are_lazy_class_properties():
    state = {"levels": [RunLevel.PRE]}

    class AttrLazy(IonPlugin):
        """x"""
        version = "1.0.0.0"

        @classmethod
        def runlevels(cls):
            return list(state["levels"])

        @staticmethod
        def runtypes():
            return [RunType.COMPOSITE]

        def depends(cls):
            return [cls.__name__ + "Dep"]

    assert AttrLazy.runlevels == ["pre"]
    state["levels"] = [RunLevel.LAST]
    assert AttrLazy().runlevels == ["last"]
    assert AttrLazy.runtypes == ["composite"]
    assert AttrLazy.depends == ["AttrLazyDep"]


def test_callable_output_becomes_an_instance_property():
    class AttrOutput(IonPlugin):
        """x"""
        version = "1.0.0.0"

        def output(self):
            return {"sections": [self.name]}

    assert AttrOutput().output == {"sections": ["AttrOutput"]}


def test_registry_keys_class_name_and_declared_name():
    class AttrRegistered(IonPlugin):
        """x"""
        name = "AttrAlias"
        version = "1.0.0.0"

    assert registry.get_plugin("AttrRegistered") is AttrRegistered
    assert registry.get_plugin("AttrAlias") is AttrRegistered
    assert registry.get_plugin("IonPlugin") is None  # the abstract base is not a plugin


def test_missing_docstring_warns_and_gives_empty_docs():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")

        class AttrNoDoc(IonPlugin):
            version = "1.0.0.0"

    assert any("no docstring" in str(w.message) for w in caught)
    assert plugin_info(AttrNoDoc)["docs"] == ""


def test_info_dict_has_reference_keys_plus_documented_extras():
    class AttrInfo(IonPlugin):
        """  Does things.

        Second line.
        """
        version = "5.4.0.1"
        runtypes = RunType.THUMB  # a bare string is accepted
        runlevels = (RunLevel.DEFAULT, RunLevel.LAST)
        features = ["export"]
        depends = ["Other"]
        major_block = 1
        author = "me"

        def getUserInput(self):
            return [{"name": "x"}]

    info = plugin_info(AttrInfo())
    assert REFERENCE_INFO_KEYS <= set(info)
    assert set(info) == set(INFO_KEYS) | set(EXTRA_KEYS)
    assert info["_meta"] == "IonPlugin Definition format 1.0"
    assert info["runtypes"] == ["thumbnail"]
    assert info["runlevels"] == ["default", "last"]
    assert info["major_block"] is True
    assert info["docs"] == "Does things.\n\nSecond line." == info["description"]
    assert info["config"] == [{"name": "x"}]
    assert info["pluginorm"] is None and info["author"] == "me" and info["requires"] == ["BAM"]


def test_launch_must_be_overridden():
    class AttrNoLaunch(IonPlugin):
        """x"""
        version = "1.0.0.0"

    with pytest.raises(NotImplementedError):
        AttrNoLaunch().launch()
