"""``plugin/``: the data model's resource (rundb/api/resources/plugin.py) with the act only
this app performs, uninstalling (DELETE), through the same service the routes and commands use."""
from rundb.api.resources.plugin import PluginResource as ModelPluginResource

from ..services.install import uninstall


class PluginResource(ModelPluginResource):
    def uninstall(self, plugin):
        uninstall(plugin)


RESOURCES = [PluginResource]
