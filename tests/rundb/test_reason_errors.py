"""Plugin refusals and analysis failures share rundb.errors.ReasonError: one line, read as
str(exc), .message or .reason; plugin refusals stay ValueErrors for their callers."""
import pytest

from pipeline.analysis.status import AnalysisError
from pipeline.stages.errors import PipelineError
from plugin.archive import PluginArchiveError
from plugin.introspect import PluginInspectError
from plugin.services.extend import ExtendError
from plugin.services.install import PluginInstallError
from plugin.services.launch import PluginLaunchError
from rundb.errors import ReasonError


@pytest.mark.parametrize("cls", [PluginArchiveError, PluginInspectError, PluginInstallError, PluginLaunchError])
def test_plugin_refusals_are_value_errors_with_message(cls):
    exc = cls("no such plugin")
    assert isinstance(exc, ValueError) and isinstance(exc, ReasonError)
    assert str(exc) == exc.message == exc.reason == "no such plugin"


@pytest.mark.parametrize("cls", [AnalysisError, PipelineError])
def test_analysis_failures_keep_reason_and_are_not_value_errors(cls):
    exc = cls("rawlib.basecaller.bam: truncated BAM")
    assert not isinstance(exc, ValueError)
    assert str(exc) == exc.reason == "rawlib.basecaller.bam: truncated BAM"


def test_extend_error_keeps_its_status():
    exc = ExtendError(404, "no such function")
    assert (exc.status, exc.message, str(exc)) == (404, "no such function", "no such function")
