"""The generated `ion_plugin_<Name>_launch.sh`: what the grid engine (or the local backend) runs.

The script reports Started, sets umask 0000 and `ulimit -c 0`, exports the plugin environment
(flattened startplugin.json as RUNINFO__*/PLUGINCONFIG__*/..., the legacy names RESULTS_DIR,
DIRNAME, TSP_*, ...), runs the plugin in its results folder with all output in
drmaa_stdout.txt, writes the exit-code file, then PATCHes results.json into the PluginResult store
and reports Completed or Error (Cancelled on TERM, Timed Out on USR1). Values are computed here
in Python and shell-quoted, so the script needs no JSON tooling. The callbacks are one curl
process each (Started; store + final state together): on a busy node a Python start-up per
callback was most of a trivial job's cost. job_callback.py is the fallback without curl.
"""
import json
import os
import re
import secrets
import shlex
from pathlib import Path

from django.template import Context, Engine

from plugin import SDK_PATH
from rundb.files import atomic_write

from .config import plugin_python, scratch_dir

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
TEMPLATE_NAME = "plugin/ion_plugin_launch.sh"
CALLBACK_SCRIPT = Path(__file__).resolve().parent / "job_callback.py"
SKIP_FLATTEN = ("barcodedSamples", "sampleinfo")
PASS_THROUGH = ("SGE_ROOT", "SGE_CELL", "SGE_CLUSTER_NAME", "SGE_QMASTER_PORT", "SGE_EXECD_PORT", "DRMAA_LIBRARY_PATH")
NAME_RE = re.compile(r"[^A-Za-z0-9_]")
_engine = Engine(dirs=[str(TEMPLATE_DIR)], autoescape=False)


def launch_script_name(plugin_name):
    return f"ion_plugin_{plugin_name}_launch.sh"


def job_name(job):
    """Grid job name of a plugin job (also names its exit-code file)."""
    return f"plugin_{job.plugin_result.plugin.name}_{job.pk}"


def exit_code_path(job, work_dir=None):
    """Where the launch script records the plugin's exit status: <work_dir>/<job name>.exitcode."""
    return Path(work_dir or job.work_dir) / f"{job_name(job)}.exitcode"


def _scalar(value):
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value)


def _env_name(parts):
    return NAME_RE.sub("_", "__".join(str(p) for p in parts).upper().replace(".", "_").replace("-", "_"))


def flatten_startplugin(data):
    """[(NAME, value)] for every scalar leaf of startplugin.json.

    Path segments are upper-cased and joined with `__`; list items get `__<index>`; keys with
    spaces also get the original's truncated name (e.g. DATAMANAGEMENT__SIGNAL). Sample
    sections (barcodedSamples, sampleinfo) are left out, as in the original."""
    out = {}

    def walk(value, path):
        if any(skip in path for skip in SKIP_FLATTEN):
            return
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, path + [str(key)])
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, path + [str(i)])
        elif path:
            text = _scalar(value)
            out.setdefault(_env_name(path), text)
            if any(" " in p for p in path):
                legacy = _env_name([p.split()[0] if p.split() else p for p in path])
                out.setdefault(legacy, text)

    walk(data, [])
    return [(k, v) for k, v in out.items() if k and not k[0].isdigit()]


def legacy_environment(startplugin, *, plugin_dir, plugin_name, genome_fasta=""):
    """The names the original wrapper derived for legacy plugins (RESULTS_DIR, TSP_*, ...)."""
    runinfo = startplugin.get("runinfo", {})
    analysis_dir = runinfo.get("analysis_dir", "")
    results_dir = runinfo.get("results_dir", "")
    env = {
        "DIRNAME": plugin_dir,
        "PLUGIN_PATH": plugin_dir,
        "PROGRAM": plugin_name,
        "PLUGINNAME": plugin_name,
        "json_fname": str(Path(results_dir) / "startplugin.json"),
        "RAW_DATA_DIR": runinfo.get("raw_data_dir", ""),
        "ANALYSIS_DIR": analysis_dir,
        "LIBRARY_KEY": runinfo.get("library_key", ""),
        "TESTFRAG_KEY": runinfo.get("testfrag_key", ""),
        "RESULTS_DIR": results_dir,
        "URL_ROOT": runinfo.get("url_root", ""),
        "REPORT_ROOT_DIR": runinfo.get("report_root_dir", analysis_dir),
        "SIGPROC_DIR": runinfo.get("sigproc_dir", analysis_dir),
        "BASECALLER_DIR": runinfo.get("basecaller_dir", analysis_dir),
        "ALIGNMENT_DIR": runinfo.get("alignment_dir", analysis_dir),
    }
    env.update(_tsp_run_environment(runinfo, startplugin.get("expmeta", {})))
    env.update(_tsp_file_environment(runinfo, startplugin.get("expmeta", {}), genome_fasta))
    return list(env.items())


def _tsp_run_environment(runinfo, expmeta):
    """TSP_* names describing the run."""
    return {
        "TSP_RUN_NAME": expmeta.get("run_name", ""),
        "TSP_RUN_DATE": expmeta.get("run_date", ""),
        "TSP_ANALYSIS_NAME": expmeta.get("results_name", ""),
        "TSP_ANALYSIS_DATE": expmeta.get("analysis_date", ""),
        "TSP_PROJECT": expmeta.get("project", ""),
        "TSP_LIBRARY": runinfo.get("library", ""),
        "TSP_SAMPLE": expmeta.get("sample", ""),
        "TSP_PGM_NAME": expmeta.get("instrument", ""),
        "TSP_NOTES": expmeta.get("notes", ""),
        "TSP_CHIPTYPE": expmeta.get("chiptype", ""),
        "TSP_RUNID": expmeta.get("runid", ""),
        "TSP_FLOWORDER": expmeta.get("flowOrder", ""),
        "TSP_LIBRARY_KEY": runinfo.get("library_key", ""),
        "TSP_TF_KEY": runinfo.get("testfrag_key", ""),
        "TSP_NUM_FLOWS": _scalar(expmeta.get("run_flows", "")),
    }


def _tsp_file_environment(runinfo, expmeta, genome_fasta):
    """TSP_FILEPATH_* / TSP_URLPATH_* names: the run's files on disk and under the web root."""
    results_dir = runinfo.get("results_dir", "")
    analysis_dir = runinfo.get("analysis_dir", "")
    report_root = runinfo.get("report_root_dir", analysis_dir)
    url_root = runinfo.get("url_root", "")
    basecaller_dir = runinfo.get("basecaller_dir", analysis_dir)
    alignment_dir = runinfo.get("alignment_dir", analysis_dir)
    stem = f"{expmeta.get('run_name', '')}_{expmeta.get('results_name', '')}"
    try:
        rel = os.path.relpath(results_dir, report_root) if results_dir and report_root else ""
    except ValueError:
        rel = ""
    plugin_url = f"{url_root}/{rel}" if rel and not rel.startswith("..") else f"{url_root}/plugin_out/{Path(results_dir).name}"
    genome_url = ""
    if genome_fasta and "referenceLibrary/" in genome_fasta:
        genome_url = "/output/" + genome_fasta.split("referenceLibrary/", 1)[1]
    return {
        "TSP_FILEPATH_OUTPUT_STEM": stem,
        "TSP_URLPATH_OUTPUT_STEM": stem,
        "TSP_FILEPATH_GENOME_FASTA": genome_fasta,
        "TSP_URLPATH_GENOME_FASTA": genome_url,
        "TSP_FILEPATH_UNMAPPED_BAM": f"{basecaller_dir}/rawlib.basecaller.bam",
        "TSP_FILEPATH_TF_BAM": f"{basecaller_dir}/rawtf.basecaller.bam",
        "TSP_URLPATH_UNMAPPED_BAM": f"{url_root}/basecaller_results/rawlib.basecaller.bam",
        "TSP_URLPATH_TF_BAM": f"{url_root}/basecaller_results/rawtf.basecaller.bam",
        "TSP_FILEPATH_BAM": f"{alignment_dir}/rawlib.bam",
        "TSP_FILEPATH_BAI": f"{alignment_dir}/rawlib.bam.bai",
        "TSP_URLPATH_BAM": f"{url_root}/download_links/{stem}.bam",
        "TSP_URLPATH_BAI": f"{url_root}/download_links/{stem}.bam.bai",
        "TSP_FILEPATH_PLUGIN_DIR": results_dir,
        "TSP_URLPATH_PLUGIN_DIR": plugin_url,
        "TSP_FILEPATH_BARCODE_TXT": f"{report_root}/barcodeList.txt",
        "TSP_URLPATH_BARCODE_TXT": f"{url_root}/barcodeList.txt",
        "TSP_PLUGIN_SCRATCH": str(scratch_dir()),
    }


def plugin_command(plugin, python):
    """How the plugin itself is started (python class file, or a legacy launch.sh)."""
    dirname = '"$DIRNAME"'
    if plugin.script == "launch.sh" or (plugin.script or "").endswith("/launch.sh"):
        return f'( cd "$RESULTS_DIR" && exec bash -o errexit {dirname}/launch.sh -j "$RESULTS_DIR/startplugin.json" )'
    script = Path(plugin.script or f"{plugin.name}.py").name
    return f'( cd "$RESULTS_DIR" && exec {shlex.quote(python)} -u {dirname}/{shlex.quote(script)} -vv )'


def _sge_lines(plugin):
    """`#$` directives of a legacy launch.sh, kept as comments in the header."""
    if plugin.script != "launch.sh" or not plugin.path:
        return []
    try:
        text = (Path(plugin.path) / "launch.sh").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [line.rstrip() for line in text.splitlines() if line.startswith("#$")]


def render_launch_script(*, plugin, pluginresult, job, startplugin, run_level, exit_code_file, genome_fasta=""):
    """The launch script text of one job."""
    runinfo = startplugin["runinfo"]
    python = plugin_python()
    env = legacy_environment(startplugin, plugin_dir=plugin.path, plugin_name=plugin.name, genome_fasta=genome_fasta)
    seen = {name for name, _ in env}
    env += [(n, v) for n, v in flatten_startplugin(startplugin) if n not in seen]
    lines = [f"export {name}={shlex.quote(value)}" for name, value in env]
    for name in PASS_THROUGH:
        value = os.environ.get(name)
        if value and re.fullmatch(r"[\w./:@,+-]+", value):
            lines.append(f'export {name}="${{{name}:-{value}}}"')
    body = json.dumps(startplugin, indent=2, default=str)
    tag = f"ION_STARTPLUGIN_{secrets.token_hex(8)}"
    context = {
        "plugin_name": plugin.name,
        "plugin_version": plugin.version,
        "run_level": run_level,
        "job_pk": int(job.pk),
        "pr_pk": int(pluginresult.pk),
        "sge_lines": _sge_lines(plugin),
        "version_q": shlex.quote(plugin.version),
        "results_dir_q": shlex.quote(runinfo["results_dir"]),
        "export_lines": "\n".join(lines),
        "sdk_path_q": shlex.quote(str(SDK_PATH)),
        "python_q": shlex.quote(python),
        "callback_q": shlex.quote(str(CALLBACK_SCRIPT)),
        "exitcode_q": shlex.quote(str(exit_code_file)),
        "api_url_q": shlex.quote(runinfo["api_url"]),
        "api_key_q": shlex.quote(getattr(pluginresult, "plain_apikey", None) or ""),
        "heredoc_tag": tag,
        "startplugin_json": body,
        "command": plugin_command(plugin, python),
    }
    return _engine.get_template(TEMPLATE_NAME).render(Context(context, autoescape=False))


def write_script(path, text):
    """Replace the script in one step (a running bash keeps reading the old inode); mode 0700:
    it holds the run's key."""
    return atomic_write(path, text, mode=0o700)
