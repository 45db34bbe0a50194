"""The plugin run levels an analysis launches, each as soon as its data is ready (see the
package docstring), all in one launch session."""
import logging
from pathlib import Path

log = logging.getLogger(__name__)


def launch_level(result, level, say, *, block_id=None, session=None):
    """Launch one plugin run level; a plugin problem is logged, never fails the analysis."""
    from plugin.services.runlevels import launch_runlevel

    try:
        launched = launch_runlevel(result, level, block_id=block_id, session=session)
    except Exception as exc:  # noqa: BLE001 - plugins must not break the report
        say(f"plugins at run level {level}: launch failed: {exc}", status=False)
        log.exception("run level %s of report %s", level, result.pk)
        return []
    if launched:
        where = f" (block {block_id})" if block_id else ""
        names = ", ".join(f"{pr.plugin.name} #{pr.pk}" for pr in launched)
        say(f"plugins at run level {level}{where}: {names}", status=False)
    return launched


SEPARATOR_FILE = "separator.mask.bin"
BEADFIND_STATS = "analysis.bfmask.stats"


def separator_output(inputs):
    """The file whose existence means the chip's beads are separated (SEPARATOR's data), or None.

    The original's signal processing writes sigproc_results/separator.mask.bin; a run folder
    that has one (instrument output) is used as is. This server's stand-in is the chip's
    bead-find summary analysis.bfmask.stats: for flowgram input the basecaller writes
    <report>/basecaller_results/analysis.bfmask.stats once the beads of every block are
    classified; a basecalled run brings the instrument's copy (sigproc_results,
    basecaller_results, onboard_results/sigproc_results or the run folder itself, where
    run_stages finds it too). With none of these, SEPARATOR fires before DEFAULT."""
    report, run = Path(inputs.report_dir), Path(inputs.run_dir)
    sigproc_dirs = [report / "sigproc_results", run / "sigproc_results", run / "onboard_results" / "sigproc_results"]
    candidates = [d / SEPARATOR_FILE for d in sigproc_dirs]
    if inputs.data_kind == "flowgrams":
        candidates.append(report / "basecaller_results" / BEADFIND_STATS)
    else:
        candidates += [d / BEADFIND_STATS for d in (run / "sigproc_results", run / "basecaller_results",
                                                     run / "onboard_results" / "sigproc_results", run)]
    return next((p for p in candidates if p.is_file()), None)


class PipelinePlugins:
    """The plugin run levels of one analysis, in one launch session.

    `prepare()` creates every block folder (so PRE and every later job see them all in
    `block_dirs`); `block_done(id)` launches one block's BLOCK plugins, once; `check_separator()`
    launches SEPARATOR once its data exists (composite runs); `finish()` launches what has not
    fired yet (blocks, then SEPARATOR) and DEFAULT, POST, LAST. `on_block(id)` is called after
    a block's launch (tests use it to watch the jobs while the analysis goes on)."""

    def __init__(self, result, inputs, say, on_block=None):
        from plugin.services.launch import new_session

        self.result, self.inputs, self.say, self.on_block = result, inputs, say, on_block
        self.session = new_session("pipeline")
        self.blocks_done = set()
        self.separator_fired = False

    def level(self, level, block_id=None):
        return launch_level(self.result, level, self.say, block_id=block_id, session=self.session)

    def prepare(self):
        for block in self.inputs.blocks:
            (Path(self.inputs.report_dir) / f"block_{block}").mkdir(exist_ok=True)

    def block_done(self, block_id):
        if block_id not in self.inputs.blocks or block_id in self.blocks_done:
            return
        self.blocks_done.add(block_id)
        self.level("block", block_id)
        if self.on_block is not None:
            self.on_block(block_id)

    def check_separator(self):
        if self.separator_fired or not self.inputs.blocks:
            return
        found = separator_output(self.inputs)
        if found is not None:
            self.separator_fired = True
            self.say(f"separator output {found}: SEPARATOR plugins", status=False)
            self.level("separator")

    def finish(self):
        for block in self.inputs.blocks:
            self.block_done(block)
        self.check_separator()
        if self.inputs.blocks and not self.separator_fired:  # no separator output: before DEFAULT
            self.separator_fired = True
            self.level("separator")
        for level in ("default", "post", "last"):
            self.level(level)
