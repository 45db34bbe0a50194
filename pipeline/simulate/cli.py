"""Command line: ``python -m pipeline.simulate OUT_DIR [options]`` (see ``--help``).

``main(argv)`` is what a Django management command can call; it prints a JSON summary
of the written paths and returns the exit status (2 for bad arguments).
"""
from __future__ import annotations

import argparse
import json
import sys

from .barcodes import load_barcode_kit
from .run import simulate_run


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="simulate_run",
                                description="Write a simulated instrument run folder + truth.")
    p.add_argument("out_dir", help="run folder to create, e.g. <results>/<rig>/R_..._name")
    p.add_argument("--reads", type=int, default=1000, help="library beads/reads")
    p.add_argument("--fmt", choices=("bam", "wells"), default="bam")
    p.add_argument("--preclassified", action="store_true",
                   help="one BAM per barcode (+ nomatch) instead of one rawlib BAM")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--instrument", default="PGM", help="PGM, PROTON or S5")
    p.add_argument("--run-name")
    p.add_argument("--run-id", help="5-character run id used in read names/read groups")
    p.add_argument("--barcode-kit-file", help="fixture JSON with rundb.dnabarcode rows")
    p.add_argument("--barcode-kit", help="kit name inside the file (e.g. IonXpress)")
    p.add_argument("--barcodes", help="N (first N of the kit) or comma-separated id_str list")
    p.add_argument("--reference", help="existing FASTA to sample reads from")
    p.add_argument("--reference-name")
    p.add_argument("--genome-size", type=int, default=100_000)
    p.add_argument("--contigs", type=int, default=3)
    p.add_argument("--flows", type=int, default=400)
    p.add_argument("--flow-order", default=None, help="flow-order cycle (default TACG... 32)")
    p.add_argument("--chip-type")
    p.add_argument("--library-key", default="TCAG")
    p.add_argument("--tf-key", default="ATCG")
    p.add_argument("--insert-mean", type=float, default=180.0)
    p.add_argument("--insert-sd", type=float, default=50.0)
    p.add_argument("--insert-min", type=int, default=30)
    p.add_argument("--nomatch-fraction", type=float, default=0.03)
    p.add_argument("--tf-reads", type=int)
    p.add_argument("--bad-key-fraction", type=float, default=0.01)
    p.add_argument("--loading", type=float, default=0.75)
    p.add_argument("--cf", type=float, default=0.006)
    p.add_argument("--ie", type=float, default=0.004)
    p.add_argument("--dr", type=float, default=0.001)
    p.add_argument("--noise", type=float, default=0.07)
    p.add_argument("--no-flowgram-tags", action="store_true", help="omit ZM tags (format a)")
    p.add_argument("--project", default="")
    p.add_argument("--sample", default="")
    p.add_argument("--plan-short-id", default="")
    p.add_argument("--plan-guid", default="")
    p.add_argument("--truth-dir")
    p.add_argument("--batch-size", type=int, default=20000)
    p.add_argument("--blocks", type=parse_blocks, help="RxC, e.g. 2x2: a composite chip delivered as "
                   "per-block 1.wells (format wells only)")
    return p


def parse_blocks(text):
    """``RxC`` (e.g. ``2x2``) -> (rows, cols) of blocks."""
    rows, sep, cols = text.lower().partition("x")
    if not sep or not rows.isdigit() or not cols.isdigit():
        raise argparse.ArgumentTypeError(f"expected RxC such as 2x2, not {text!r}")
    return int(rows), int(cols)


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    kit, barcodes = None, None
    try:
        if args.barcode_kit_file:
            kit = load_barcode_kit(args.barcode_kit_file, args.barcode_kit)
            if args.barcodes:
                barcodes = (int(args.barcodes) if args.barcodes.isdigit()
                            else [b.strip() for b in args.barcodes.split(",") if b.strip()])
        elif args.barcodes:
            parser.error("--barcodes needs --barcode-kit-file")
        extra = {"flow_order": args.flow_order} if args.flow_order else {}
        if args.blocks:
            extra["blocks"] = args.blocks
        run = simulate_run(
            args.out_dir, reads=args.reads, barcodes=barcodes, barcode_kit=kit,
            barcode_kit_name=args.barcode_kit, instrument=args.instrument,
            run_name=args.run_name, fmt=args.fmt, preclassified=args.preclassified,
            seed=args.seed, reference_fasta=args.reference, reference_name=args.reference_name,
            genome_size=args.genome_size, n_contigs=args.contigs, flows=args.flows,
            chip_type=args.chip_type, library_key=args.library_key, tf_key=args.tf_key,
            insert_mean=args.insert_mean, insert_sd=args.insert_sd, insert_min=args.insert_min,
            nomatch_fraction=args.nomatch_fraction, tf_reads=args.tf_reads,
            bad_key_fraction=args.bad_key_fraction, loading=args.loading, cf=args.cf,
            ie=args.ie, dr=args.dr, noise=args.noise,
            flowgram_tags=not args.no_flowgram_tags, project=args.project, sample=args.sample,
            plan_short_id=args.plan_short_id, plan_guid=args.plan_guid,
            truth_dir=args.truth_dir, run_id=args.run_id, batch_size=args.batch_size, **extra)
    except (ValueError, OSError) as exc:
        print(f"simulate_run: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"run_dir": str(run.run_dir), "reference_fasta": str(run.reference_fasta),
                      "truth": str(run.truth_path), "params": str(run.params_path),
                      "run_id": run.run_id,
                      "outputs": {k: str(v) for k, v in run.outputs.items()}}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
