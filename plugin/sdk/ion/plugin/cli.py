"""PluginCLI: the `if __name__ == "__main__": PluginCLI()` entry point of a plugin file.

Exit status: 0 on success (and for --inspect, --version, --dry-run); 1 when launch() returns
False or raises (traceback on stderr); 2 for bad arguments. A plugin may still sys.exit(n).
"""
import argparse
import json
import logging
import os
import sys
import types

from .barcodetable_columns import available_columns
from .base import IonPlugin
from .info import plugin_info
from .registry import registry


class PluginCLIError(Exception):
    pass


def _plugin_classes_in(namespace):
    return [
        v for v in namespace.values()
        if isinstance(v, type) and issubclass(v, IonPlugin) and not v.__dict__.get("_abstract", False)
    ]


def _class_from_caller(caller_globals):
    """The class named after the caller's file stem, else the only plugin class it defines."""
    module_name = caller_globals.get("__name__")
    filename = caller_globals.get("__file__") or (sys.argv[0] if sys.argv else "")
    stem = os.path.splitext(os.path.basename(filename))[0] if filename else None
    candidates = [c for c in _plugin_classes_in(caller_globals) if c.__module__ == module_name]
    for cls in candidates:
        if cls.__name__ == stem:
            return cls
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise PluginCLIError(
            f"No class extending IonPlugin is defined in {filename or module_name}"
        )
    raise PluginCLIError(
        f"Several IonPlugin classes in {filename}; name one after the file ({stem}) or pass it to PluginCLI"
    )


def resolve_plugin(plugin, caller_globals):
    """Accept a class, an instance, a module, a registered name, or None (the caller's module)."""
    if plugin is None:
        return _class_from_caller(caller_globals)
    if isinstance(plugin, IonPlugin):
        return plugin
    if isinstance(plugin, type) and issubclass(plugin, IonPlugin):
        return plugin
    if isinstance(plugin, types.ModuleType):
        found = _plugin_classes_in(vars(plugin))
        if not found:
            raise PluginCLIError(f"Module {plugin.__name__} defines no IonPlugin class")
        return found[0]
    if isinstance(plugin, str):
        cls = registry.get_plugin(plugin)
        if cls is None:
            raise PluginCLIError(f"No IonPlugin class registered under the name {plugin!r}")
        return cls
    raise PluginCLIError(f"PluginCLI cannot run {plugin!r}")


def build_parser(prog, plugin_version):
    parser = argparse.ArgumentParser(prog=prog, description="Ion Torrent plugin command line")
    parser.add_argument("--version", action="version", version=f"Ion Torrent Plugin - {prog} v{plugin_version}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="-v info, -vv debug")
    parser.add_argument("--dry-run", action="store_true", help="do not launch, only log")
    parser.add_argument("--inspect", "--info", dest="inspect", action="store_true",
                        help="print the plugin information as JSON and exit")
    parser.add_argument("--runmode", choices=["launch", "block"], default="launch")
    parser.add_argument("--block", default=None, help="block id for --runmode block")
    parser.add_argument("--bctable-columns", action="store_true",
                        help="print the available barcodes-table columns as JSON")
    return parser


def _log_level(verbosity):
    if verbosity >= 2:
        return logging.DEBUG
    if verbosity == 1:
        return logging.INFO
    return logging.ERROR


class PluginCLI:
    """Parse the command line and run the plugin; exits the process unless exit=False."""

    def __init__(self, plugin=None, argv=None, exit=True):
        caller_globals = sys._getframe(1).f_globals
        self.returncode = self.run(plugin, argv, caller_globals)
        if exit:
            sys.stdout.flush()
            sys.exit(self.returncode)

    def run(self, plugin, argv, caller_globals):
        try:
            target = resolve_plugin(plugin, caller_globals)
        except PluginCLIError as exc:
            print(f"PluginCLI: {exc}", file=sys.stderr)
            return 1
        prog = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "plugin"
        parser = build_parser(prog, target.version)
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
        logging.basicConfig(level=_log_level(args.verbose), format="%(asctime)s %(name)s %(levelname)s %(message)s")

        if args.bctable_columns:
            print(json.dumps(available_columns(), indent=2))
            return 0
        if args.runmode == "block" and args.block is None:
            parser.error("--runmode block requires --block <id>")

        try:
            instance = target() if isinstance(target, type) else target
            if args.inspect:
                print(json.dumps(plugin_info(instance), indent=2, default=str))
                return 0
            if args.runmode == "block":
                if not hasattr(instance, "block"):
                    print(f"{instance.name} has no block() method", file=sys.stderr)
                    return 1
                result = instance.block(args.block)
            else:
                result = instance.launch_wrapper(dry_run=args.dry_run)
        except Exception:
            import traceback

            traceback.print_exc()
            return 1
        if result is False:
            print(f"{instance.name}: launch() returned False; plugin execution failed", file=sys.stderr)
            return 1
        return 0


cli = PluginCLI
