"""`manage.py simulate_run`: write a synthetic instrument run folder (pipeline.simulate) where
the crawler will find it, and print the folder.

    manage.py simulate_run --reads 5000 --barcodes 4 --instrument PGM_sim --format bam
    manage.py simulate_run --format wells --out /tmp/R_2024_01_02_03_04_05_user_x

Barcodes come from the database kit `--barcode-kit` (load the catalog first). With
`--install-reference` the generated reference is installed under its name (explog
`Library:`) so the run is aligned when analysed.
"""
import datetime
import json
import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pipeline.references import ReferenceInstallError, find_installed_reference, install_reference
from pipeline.simulate.cli import parse_blocks
from rundb.models import dnaBarcode

PLATFORMS = ("PGM", "PROTON", "S5")
INSTRUMENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")


def platform_for(instrument, given=None):
    if given:
        return given.upper()
    name = instrument.upper()
    for platform in ("PROTON", "S5", "PGM"):
        if name.startswith(platform):
            return platform
    return "PGM"


def kit_rows(name):
    rows = list(dnaBarcode.objects.filter(name=name, active=True).order_by("index", "id_str"))
    if not rows:
        raise CommandError(f"barcode kit {name!r} is not in the database (run `manage.py load_catalog` first)")
    return [{"id_str": b.id_str, "sequence": b.sequence, "adapter": b.adapter, "index": b.index, "name": b.name}
            for b in rows]


class Command(BaseCommand):
    help = "Write a simulated instrument run folder (explog, basecalled BAM or 1.wells, truth) and print its path."

    def add_arguments(self, parser):
        parser.add_argument("--reads", type=int, default=2000, help="library reads / beads (default 2000)")
        parser.add_argument("--barcodes", type=int, default=0, help="number of barcodes used (0 = not barcoded)")
        parser.add_argument("--barcode-kit", default="IonXpress", help="barcode kit name in the database")
        parser.add_argument("--instrument", default="PGM_sim", help="instrument folder under the results root")
        parser.add_argument("--platform", choices=PLATFORMS, help="PGM, PROTON or S5 (default: from --instrument)")
        parser.add_argument("--format", choices=("bam", "wells"), default="bam", dest="fmt",
                            help="bam: basecalled reads (a); wells: flowgrams + bead mask (b)")
        parser.add_argument("--preclassified", action="store_true", help="one BAM per barcode (format bam only)")
        parser.add_argument("--blocks", type=parse_blocks, help="RxC, e.g. 2x2: a composite chip whose 1.wells "
                            "come per block (format wells only)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--flows", type=int, default=400)
        parser.add_argument("--genome-size", type=int, default=50_000)
        parser.add_argument("--reference-name", default="simref",
                            help="name of the generated reference (explog Library)")
        parser.add_argument("--install-reference", action="store_true",
                            help="install the generated reference under --reference-name if not installed yet")
        parser.add_argument("--run-name", help="run folder name (default R_<now>_user_sim<seed>)")
        parser.add_argument("--out", help="run folder to write (default <results root>/<instrument>/<run name>)")
        parser.add_argument("--json", action="store_true", help="print a JSON summary instead of the folder")

    def handle(self, *args, **options):
        from pipeline.simulate import simulate_run

        if options["reads"] < 1:
            raise CommandError("--reads must be at least 1")
        if options["barcodes"] < 0:
            raise CommandError("--barcodes must be >= 0")
        if options["preclassified"] and not options["barcodes"]:
            raise CommandError("--preclassified needs --barcodes K (K >= 1)")
        instrument = options["instrument"]
        if not INSTRUMENT_RE.match(instrument):
            raise CommandError(f"bad instrument name {instrument!r}: letters, digits, '_', '.', '-'")
        now = datetime.datetime.now().replace(microsecond=0)
        run_name = options["run_name"] or f"R_{now:%Y_%m_%d_%H_%M_%S}_user_sim{options['seed']}"
        if "/" in run_name or run_name in (".", ".."):
            raise CommandError(f"bad run name {run_name!r}")
        out = Path(options["out"]) if options["out"] else Path(settings.ION_RESULTS_ROOT) / instrument / run_name
        if (out / "explog.txt").exists():
            raise CommandError(f"{out} already holds a run (explog.txt exists)")
        kit = kit_rows(options["barcode_kit"]) if options["barcodes"] else None
        if kit and options["barcodes"] > len(kit):
            raise CommandError(f"--barcodes {options['barcodes']}: kit {options['barcode_kit']} has {len(kit)}")
        try:
            run = simulate_run(
                out, reads=options["reads"], barcodes=options["barcodes"] or None, barcode_kit=kit,
                barcode_kit_name=options["barcode_kit"] if kit else None,
                instrument=platform_for(instrument, options["platform"]), run_name=out.name, fmt=options["fmt"],
                preclassified=options["preclassified"], seed=options["seed"], flows=options["flows"],
                genome_size=options["genome_size"], reference_name=options["reference_name"], start_time=now,
                blocks=options["blocks"],
            )
        except ValueError as exc:
            raise CommandError(f"cannot simulate: {exc}") from None
        installed = None
        if options["install_reference"]:
            found, _ = find_installed_reference(options["reference_name"])
            if found is None:
                try:
                    installed = install_reference(options["reference_name"], run.reference_fasta,
                                                  name=f"simulated {options['reference_name']}", replace=True)
                except ReferenceInstallError as exc:
                    raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps({
                "run_dir": str(run.run_dir), "run_id": run.run_id, "format": run.fmt,
                "reference_fasta": str(run.reference_fasta), "truth": str(run.truth_path),
                "params": str(run.params_path), "reference_installed": bool(installed),
            }, indent=2))
        else:
            self.stdout.write(str(run.run_dir))
