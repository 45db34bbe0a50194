"""Process-wide registry of IonPlugin subclasses, filled at class-creation time."""
import sys


class PluginRegistry:
    def __init__(self):
        self.plugins = {}
        self.modules = {}
        self.module_errors = {}

    def register(self, cls):
        self.plugins[cls.__name__] = cls
        if cls.name and cls.name != cls.__name__:
            self.plugins[cls.name] = cls
        module = sys.modules.get(cls.__module__)
        if module is not None:
            self.modules[cls.__module__] = module

    def get_plugin(self, name):
        """The class registered under `name`, or None. Never returns a module object."""
        return self.plugins.get(name)

    def classes_in_module(self, module_name):
        seen = []
        for cls in self.plugins.values():
            if cls.__module__ == module_name and cls not in seen:
                seen.append(cls)
        return seen

    def clear(self):
        self.plugins.clear()
        self.modules.clear()
        self.module_errors.clear()


registry = PluginRegistry()
