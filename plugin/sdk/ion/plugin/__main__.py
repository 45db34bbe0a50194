"""`python -m ion.plugin --inspect-launch-sh <folder>/launch.sh`: info JSON of a legacy plugin."""
import argparse
import json
import sys

from .info import plugin_info
from .launchcompat import make_launch_plugin_class


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m ion.plugin")
    parser.add_argument("--inspect-launch-sh", metavar="LAUNCH_SH", required=True,
                        help="print the info JSON of a legacy launch.sh plugin")
    args = parser.parse_args(argv)
    try:
        cls = make_launch_plugin_class(args.inspect_launch_sh)
        print(json.dumps(plugin_info(cls), indent=2, default=str))
    except (OSError, ValueError) as exc:
        print(f"cannot read legacy plugin: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
