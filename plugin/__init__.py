"""Plugin framework: archive validation, metadata discovery and the `ion.plugin` SDK.

The SDK lives in `plugin/sdk/ion/` and is put on PYTHONPATH for plugin processes only
(launch wrapper, metadata subprocess); the server never imports plugin code.
"""
from pathlib import Path

SDK_PATH = Path(__file__).resolve().parent / "sdk"


def precompile(folder=SDK_PATH) -> None:
    """Write the bytecode of the Python files under *folder* (the SDK, an installed plugin).

    Every plugin job imports the SDK; with PYTHONDONTWRITEBYTECODE set, or a folder the job
    user cannot write, each job would compile it again (~20 ms of CPU per job). Compiling
    never runs the code; files that do not compile are left for the job to report.
    """
    import compileall

    compileall.compile_dir(str(folder), quiet=2)
