"""IonPlugin: the base class every plugin derives from.

Every plugin job imports this module, so it imports only what a launch needs (inspect,
warnings and pathlib are loaded where they are used): start-up CPU is paid once per job.
"""
import json
import logging
import os

from .registry import registry

# Declared as plain values or as no-argument callables evaluated lazily on access.
LAZY_CLASS_ATTRS = ("major_block", "runtypes", "features", "runlevels", "depends", "requires", "provides")
# Callables here become lazily evaluated instance properties.
LAZY_INSTANCE_ATTRS = ("output", "results")
# Coerced to str ("(Unknown)" when None); callables evaluated once at class creation.
STRING_ATTRS = ("version", "author")


class _LazyClassAttr:
    """Class-level property: evaluates the declared callable on every access."""

    def __init__(self, func, attr):
        self.func = func
        self.attr = attr

    def __get__(self, obj, owner):
        func = self.func
        if isinstance(func, classmethod):
            return func.__get__(None, owner)()
        if isinstance(func, staticmethod):
            return func.__func__()
        import inspect

        if inspect.signature(func).parameters:
            return func(owner)
        return func()


def _evaluate_string_attr(cls, attr):
    value = getattr(cls, attr, None)
    if callable(value):
        value = value()
    return "(Unknown)" if value is None else str(value)


class IonPluginMeta(type):
    def __new__(mcs, clsname, bases, namespace):
        for attr in LAZY_CLASS_ATTRS:
            value = namespace.get(attr)
            if isinstance(value, (classmethod, staticmethod)) or (callable(value) and not isinstance(value, type)):
                namespace[attr] = _LazyClassAttr(value, attr)
        for attr in LAZY_INSTANCE_ATTRS:
            value = namespace.get(attr)
            if callable(value):
                namespace[attr] = property(value)
        cls = super().__new__(mcs, clsname, bases, namespace)
        if "name" not in namespace or not namespace["name"]:
            cls.name = clsname
        for attr in STRING_ATTRS:
            setattr(cls, attr, _evaluate_string_attr(cls, attr))
        cls.__version__ = cls.version
        if namespace.get("_abstract", False):
            return cls
        if cls.__doc__ is None:
            import warnings

            warnings.warn(f"IonPlugin {clsname} has no docstring; its description will be empty", stacklevel=2)
        registry.register(cls)
        return cls


def _find_input_file(filename):
    """`filename` in the cwd, else in $RESULTS_DIR; FileNotFoundError naming both places."""
    folders = [os.getcwd()]
    results_dir = os.environ.get("RESULTS_DIR")
    if results_dir:
        folders.append(results_dir)
    for folder in folders:
        path = os.path.join(folder, filename)
        if os.path.isfile(path):
            return path
    where = " or ".join(folders)
    raise FileNotFoundError(f"{filename} not found in {where}")


def _load_json_file(filename):
    path = _find_input_file(filename)
    with open(path, encoding="utf-8") as fh:
        try:
            return json.load(fh)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path} is not valid JSON: {exc}") from exc


class IonPlugin(metaclass=IonPluginMeta):
    """Base class of Torrent Suite plugins. Override `version` and `launch()`."""

    _abstract = True

    name = None
    version = None
    author = None
    runtypes = []
    runlevels = []
    features = []
    depends = []
    major_block = False
    requires_configuration = False
    requires = ["BAM"]
    provides = []
    allow_autorun = True
    output = {}
    results = {}

    def __init__(self):
        # Kept free of side effects: the CLI instantiates before --inspect.
        self.context = {}
        self.blockcount = 0
        self.exit_status = -1
        self.plugin = None
        self.analysis = None
        self.pluginresult = None
        self.data = {}
        self.log = logging.getLogger(f"ion.plugin.{self.name}")
        self._startplugin = None
        self._barcodes = None

    # ---- inputs written by the framework into the results folder ----
    @property
    def startplugin(self):
        """startplugin.json from the cwd (or $RESULTS_DIR), loaded once."""
        if self._startplugin is None:
            self._startplugin = _load_json_file("startplugin.json")
        return self._startplugin

    @startplugin.setter
    def startplugin(self, value):
        self._startplugin = value

    @property
    def barcodes(self):
        """barcodes.json from the cwd (or $RESULTS_DIR), loaded once."""
        if self._barcodes is None:
            self._barcodes = _load_json_file("barcodes.json")
        return self._barcodes

    @barcodes.setter
    def barcodes(self, value):
        self._barcodes = value

    @property
    def envDict(self):
        return dict(os.environ)

    @property
    def runinfo(self):
        return self.startplugin.get("runinfo", {})

    @property
    def plugin_parameters(self):
        return self.runinfo.get("plugin", {})

    @property
    def configuration(self):
        """The effective configuration of this run (top-level `pluginconfig`).

        Falls back to the global config in runinfo.plugin when the top-level key is absent.
        """
        if "pluginconfig" in self.startplugin:
            return self.startplugin["pluginconfig"] or {}
        return self.plugin_parameters.get("pluginconfig") or {}

    # ---- lifecycle ----
    def launch(self, data=None):
        raise NotImplementedError(f"{type(self).__name__} must override launch()")

    def pre_launch(self):
        return True

    def post_launch(self):
        return None

    def pre_block(self, block):
        return hasattr(self, "block")

    def post_block(self):
        return True

    def launch_wrapper(self, data=None, dry_run=True):
        if dry_run:
            self.log.info("Dry run: %s %s would launch", self.name, self.version)
            return True
        self.data = data or {}
        if not self.pre_launch():
            self.log.info("pre_launch() declined; %s not launched", self.name)
            return None
        result = self.launch(data)
        if result is not False:
            self.generate_output()
            self.post_launch()
        else:
            self.log.error("Plugin execution failed")
        return result

    def generate_output(self):
        """Write output.json / results.json into the cwd when the plugin filled them."""
        for filename, value in (("output.json", self.output), ("results.json", self.results)):
            if value:
                with open(filename, "w", encoding="utf-8") as fh:
                    json.dump(value, fh, indent=2)

    # ---- configuration UI hooks ----
    def getUserInput(self):
        return None

    def barcodetable_columns(self):
        """Columns of the barcodes-table UI; an empty list disables the table."""
        return []

    def barcodetable_data(self, data, planconfig=None, globalconfig=None):
        return data

    def custom_validation(self, configuration, run_mode):
        return []

    def validate(self, configuration, run_mode):
        """Validation messages for `configuration` ("manual" or "pipeline" run_mode)."""
        messages = []
        if self.requires_configuration and not configuration:
            messages.append(f"{self.name} requires configuration before execution.")
        messages.extend(self.custom_validation(configuration, run_mode) or [])
        return messages

    # ---- REST ----
    def get_restobj(self, resource, params=None, timeout=30, attempts=5):
        """GET `<api_url>/v1/<resource>/` authenticated with this run's plugin api key.

        Plugins authenticate with the `pluginresult` and `api_key` query parameters. Timeouts
        and connection errors are retried, each retry with 5 more seconds of timeout.
        """
        import requests  # plugins that never call the API need not have it

        runinfo = self.runinfo
        url = f"{runinfo['api_url'].rstrip('/')}/v1/{resource.strip('/')}/"
        query = dict(params or {})
        pluginresult = runinfo.get("pluginresult") or self.plugin_parameters.get("pluginresult")
        query["pluginresult"] = pluginresult
        query["api_key"] = runinfo.get("api_key")
        last_error = None
        for _ in range(max(1, attempts)):
            try:
                response = requests.get(url, params=query, timeout=timeout)
            except (requests.Timeout, requests.ConnectionError) as exc:
                last_error = exc
                timeout += 5
                continue
            response.raise_for_status()
            return response.json()
        raise last_error
