"""The runner drives the job kinds its client apps register (plugin/apps.py, pipeline/apps.py)."""
import pytest

from sge.jobkinds import JobKind, Naming, register_kind, registered_kinds


def test_installed_apps_register_their_kinds():
    kinds = {k.tag: type(k) for k in registered_kinds()}
    assert kinds["prj"].__module__ == "plugin.jobkinds"
    assert kinds["ana"].__module__ == "pipeline.jobkinds"
    assert Naming("ionabc").parse("ionabc_ana_3")[1] == 3


def test_a_tag_cannot_be_taken_twice_or_malformed():
    class Other(JobKind):
        tag = "prj"

    with pytest.raises(ValueError, match="already taken"):
        register_kind(Other())

    class Bad(JobKind):
        tag = "P R J"

    with pytest.raises(ValueError, match="lower-case"):
        register_kind(Bad())
    assert "P R J" not in {k.tag for k in registered_kinds()}


def test_registering_the_same_kind_again_is_harmless():
    before = registered_kinds()
    register_kind(type(before[0])())
    assert [k.tag for k in registered_kinds()] == [k.tag for k in before]
