"""Flowgram input (1.wells + bead mask, one per chip or per block of a composite run): the
numpy basecaller turns it into the basecaller BAMs the stages read."""
import os
import re
import shutil
from pathlib import Path

from ..ingest.transfer import WELLS_BLOCK_GLOB, WELLS_FILES
from .inputs import bam_flow_order
from .status import BASE_CALLING, AnalysisError

_BLOCK_DIR = re.compile(r"block_X(\d+)_Y(\d+)$")


def wells_blocks(run_dir):
    """The run's flowgram input as basecaller blocks: one 1.wells for the chip, or one per
    ``onboard_results/sigproc_results/block_X<col>_Y<row>/`` of a composite run (the
    folder name gives the block's place on the chip); each with its bead mask if present.
    Returns (blocks, folder to show as the report's sigproc_results)."""
    from pipeline.basecaller.run import WellsBlock

    def mask_in(folder):
        m = folder / "analysis.bfmask.bin"
        return m if m.is_file() else None

    for rel in WELLS_FILES:
        path = Path(run_dir) / rel
        if path.is_file():
            return [WellsBlock(path, mask_in(path.parent))], path.parent
    blocks = []
    for path in sorted(Path(run_dir).glob(WELLS_BLOCK_GLOB)):
        m = _BLOCK_DIR.search(path.parent.name)
        if not m:
            raise AnalysisError(f"cannot place block folder {path.parent.name} on the chip "
                                "(expected block_X<col>_Y<row>)")
        blocks.append(WellsBlock(path, mask_in(path.parent), row_offset=int(m.group(2)),
                                 col_offset=int(m.group(1))))
    if not blocks:
        raise AnalysisError(f"no 1.wells in {run_dir}")
    blocks.sort(key=lambda b: (b.row_offset, b.col_offset))
    shown = Path(run_dir) / "sigproc_results"
    return blocks, shown if shown.is_dir() else blocks[0].wells.parent.parent


def basecall_wells(result, inputs, say, on_block_done=None):
    """Flowgrams -> <report>/basecaller_results/rawlib.basecaller.bam (+ rawtf, BaseCaller.json,
    analysis.bfmask.stats); returns the folder run_stages should read as its run folder.
    `on_block_done(block id)` as each block of a composite run is basecalled."""
    from pipeline.basecaller.run import BasecallerConfig, BasecallerInputError, basecall_run
    from pipeline.formats.bfmask import MaskFormatError
    from pipeline.formats.wells import WellsFormatError

    blocks, shown = wells_blocks(inputs.run_dir)
    report = inputs.report_dir
    sigproc = report / "sigproc_results"
    if sigproc.is_symlink() or sigproc.is_file():
        sigproc.unlink()
    elif sigproc.is_dir():
        shutil.rmtree(sigproc)
    # The report sees the run's signal-processing folder (bead mask, key traces) as its own.
    os.symlink(shown, sigproc)
    exp = result.experiment
    config = BasecallerConfig(
        run_id=result.runid or "RUN00", library_key=inputs.library_key, tf_key=inputs.tf_key,
        sample=inputs.samples.get("rawlib", "none") or "none", library=inputs.reference_name or "",
        platform=exp.platform or "PGM", chip_type=exp.chipType or "",
        date=exp.date.isoformat() if exp.date else "",
    )
    eas = result.eas
    if eas is not None and eas.threePrimeAdapter:
        from rundb.models import ThreePrimeAdapter

        adapters = ThreePrimeAdapter.objects.filter(name=eas.threePrimeAdapter)
        adapter = adapters.values_list("sequence", flat=True).first()
        if adapter:
            config.adapter = adapter.upper()
    say(BASE_CALLING)
    try:
        res = basecall_run(None, report / "basecaller_results", blocks=blocks, config=config,
                           on_block_done=_block_callback(on_block_done))
    except (WellsFormatError, BasecallerInputError, MaskFormatError) as exc:
        raise AnalysisError(f"base calling failed: {exc}") from exc
    lib = res.counts.get("lib", {})
    where = f" from {len(blocks)} blocks" if len(blocks) > 1 else ""
    say(f"basecaller{where}: {lib.get('valid', 0)} library reads pass the filters; phasing CF/IE/DR "
        f"= {res.phasing[0]:.4f}/{res.phasing[1]:.4f}/{res.phasing[2]:.4f}", status=False)
    if not inputs.flow_order:
        inputs.flow_order = bam_flow_order(report)
    return report


def _block_callback(on_block_done):
    """basecall_run's per-block callback as one taking the block id (folder block_<id>)."""
    if on_block_done is None:
        return None

    def done(block):
        m = _BLOCK_DIR.search(Path(block.wells).parent.name)
        if m:
            on_block_done(Path(block.wells).parent.name[len("block_"):])
    return done
