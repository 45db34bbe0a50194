"""Plugin jobs go to the plugin queue; analysis jobs to the backend's default queue."""
from types import SimpleNamespace

from sge.env import plugin_queue
from pipeline.jobkinds import AnalysisJobKind
from plugin.jobkinds import PluginJobKind


def row(spec=""):
    return SimpleNamespace(native_spec=spec)


def test_plugin_jobs_name_the_plugin_queue(settings):
    settings.ION_SGE_PLUGIN_QUEUE = "plugin.q"
    assert PluginJobKind().native_spec(row()) == "-q plugin.q"
    assert PluginJobKind().native_spec(row("-l h_vmem=2G")) == "-q plugin.q -l h_vmem=2G"


def test_a_queue_in_the_row_wins(settings):
    settings.ION_SGE_PLUGIN_QUEUE = "plugin.q"
    assert PluginJobKind().native_spec(row("-q other.q")) == "-q other.q"


def test_without_a_plugin_queue_the_default_queue_is_used(settings):
    settings.ION_SGE_PLUGIN_QUEUE = ""
    assert PluginJobKind().native_spec(row()) == ""  # the backend adds ION_SGE_QUEUE


def test_analysis_jobs_keep_the_default_queue(settings):
    settings.ION_SGE_PLUGIN_QUEUE = "plugin.q"
    assert AnalysisJobKind().native_spec(row("-l h_vmem=8G")) == "-l h_vmem=8G"


def test_plugin_queue_falls_back_to_the_default_queue():
    assert plugin_queue({"ION_SGE_QUEUE": "a.q"}) == "a.q"
    assert plugin_queue({"ION_SGE_QUEUE": "a.q", "ION_SGE_PLUGIN_QUEUE": "p.q"}) == "p.q"
    assert plugin_queue({}) == "all.q"
