"""Plugin framework: archive validation, metadata discovery and the `ion.plugin` SDK.

The SDK lives in `plugin/sdk/ion/` and is put on PYTHONPATH for plugin processes only
(launch wrapper, metadata subprocess); the server never imports plugin code.
"""
from pathlib import Path

SDK_PATH = Path(__file__).resolve().parent / "sdk"
