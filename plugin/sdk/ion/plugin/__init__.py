"""The Torrent Suite plugin SDK: `from ion.plugin import *`."""
__version__ = "3.0"

from .constants import Feature, RunLevel, RunType, lookupEnum, runLevelsList  # noqa: E402
from .base import IonPlugin  # noqa: E402
from .registry import registry  # noqa: E402,F401  (module attribute for plugin authors)
from .info import plugin_info  # noqa: E402,F401
from .cli import PluginCLI, cli  # noqa: E402

__all__ = [
    "IonPlugin", "PluginCLI", "cli", "RunType", "RunLevel", "Feature", "lookupEnum", "runLevelsList",
]
