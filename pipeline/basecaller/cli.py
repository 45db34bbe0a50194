"""Command line: ``python -m pipeline.basecaller INPUT_DIR OUTPUT_DIR --run-id ABCDE``."""
from __future__ import annotations

import argparse
import json
import sys

from ..formats.bfmask import MaskFormatError
from ..formats.wells import WellsFormatError
from .run import BasecallerConfig, BasecallerInputError, basecall_run


def _parser():
    p = argparse.ArgumentParser(prog="basecaller",
                                description="Basecall 1.wells + analysis.bfmask.bin into BAM.")
    p.add_argument("input_dir", help="folder with 1.wells and analysis.bfmask.bin")
    p.add_argument("output_dir")
    p.add_argument("--run-id", required=True)
    p.add_argument("--wells", help="path of the wells file (default INPUT_DIR/1.wells)")
    p.add_argument("--mask", help="path of the bead mask (default INPUT_DIR/analysis.bfmask.bin)")
    p.add_argument("--librarykey", default="TCAG")
    p.add_argument("--tfkey", default="ATCG")
    p.add_argument("--trim-adapter", default=BasecallerConfig.adapter)
    p.add_argument("--phasing", help="CF,IE,DR (fractions); default: estimate")
    p.add_argument("--training-reads", type=int, default=BasecallerConfig.training_reads)
    p.add_argument("--chunk-wells", type=int, default=BasecallerConfig.chunk_wells)
    p.add_argument("--min-read-length", type=int, default=BasecallerConfig.min_length)
    p.add_argument("--trim-qual-window-size", type=int, default=BasecallerConfig.trim_qual_window)
    p.add_argument("--trim-qual-cutoff", type=float, default=BasecallerConfig.trim_qual_cutoff)
    p.add_argument("--sample", default="none")
    p.add_argument("--platform", default="PGM")
    p.add_argument("--chip-type", default="")
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    cfg = BasecallerConfig(run_id=args.run_id, library_key=args.librarykey.upper(),
                           tf_key=args.tfkey.upper(), adapter=args.trim_adapter.upper(),
                           training_reads=args.training_reads, chunk_wells=args.chunk_wells,
                           min_length=args.min_read_length,
                           trim_qual_window=args.trim_qual_window_size,
                           trim_qual_cutoff=args.trim_qual_cutoff, sample=args.sample,
                           platform=args.platform, chip_type=args.chip_type)
    try:
        if args.phasing:
            parts = [float(x) for x in args.phasing.split(",")]
            if len(parts) != 3 or min(parts) < 0:
                raise BasecallerInputError("--phasing needs three non-negative numbers CF,IE,DR")
            cfg.phasing = tuple(parts)
        res = basecall_run(args.input_dir, args.output_dir, wells_path=args.wells,
                           mask_path=args.mask, config=cfg)
    except (BasecallerInputError, WellsFormatError, MaskFormatError, ValueError) as exc:
        print(f"basecaller: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"library_bam": str(res.library_bam), "tf_bam": str(res.tf_bam),
                      "basecaller_json": str(res.basecaller_json),
                      "phasing": {"CF": res.phasing[0], "IE": res.phasing[1],
                                  "DR": res.phasing[2]},
                      "lib_valid": res.counts["lib"]["valid"]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
