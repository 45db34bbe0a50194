"""The plugin information dict printed by `--inspect` and read by the server."""

INFO_META = "IonPlugin Definition format 1.0"

# Keys of the reference info dict, in its order.
INFO_KEYS = (
    "_meta", "name", "version", "config", "runtypes", "features", "runlevels", "depends",
    "docs", "major_block", "pluginorm", "requires_configuration",
)
# Extra informational keys this SDK adds (the server does not need them to install).
EXTRA_KEYS = ("description", "requires", "provides", "author", "allow_autorun")


def as_string_list(value):
    """Accept a single string, None or an iterable of strings; always return a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [v if isinstance(v, str) else str(v) for v in value]


def class_docs(cls):
    import inspect  # only --inspect needs it

    return inspect.cleandoc(cls.__doc__) if cls.__doc__ else ""


def plugin_info(plugin):
    """Info dict for an IonPlugin instance (or class, which is instantiated)."""
    if isinstance(plugin, type):
        plugin = plugin()
    docs = class_docs(type(plugin))
    info = {
        "_meta": INFO_META,
        "name": plugin.name,
        "version": plugin.version,
        "config": plugin.getUserInput(),
        "runtypes": as_string_list(plugin.runtypes),
        "features": as_string_list(plugin.features),
        "runlevels": as_string_list(plugin.runlevels),
        "depends": as_string_list(plugin.depends),
        "docs": docs,
        "major_block": bool(plugin.major_block),
        "pluginorm": None,
        "requires_configuration": bool(plugin.requires_configuration),
        "description": docs,
        "requires": as_string_list(plugin.requires),
        "provides": as_string_list(plugin.provides),
        "author": plugin.author,
        "allow_autorun": bool(plugin.allow_autorun),
    }
    return info
