"""Launch a plugin on a report: PluginResult, output folder, input files, launch script(s) and
one PluginResultJob row per job (state Queued). The job service picks Queued rows up and
submits them (with -hold_jid for `depends_on`); nothing here talks to the grid engine.

Folders: <report>/plugin_out/<Name>_out.<pk>/ (pre, default, separator, last), its `post/`
sub-folder (post) and <report>/block_<id>/plugin_out/<Name>_out.<pk>/ (block). Each folder
gets startplugin.json, barcodes.json and ion_plugin_<Name>_launch.sh.

Holds (`depends_on`): a job waits for the previous job of its own run (multi-level plugins),
a POST job for its own BLOCK jobs, a plugin for the active jobs of the plugins it `depends` on
(dependencies are never launched automatically: SDK manual, "Dependencies"), and LAST jobs
and EXPORT plugins for every other active plugin job of their own launch session: the
pipeline run that launched them, or the one manual request (which may name several
plugins); never for unrelated runs launched by hand on the same report.
"""
import logging
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from rundb.errors import ReasonError
from rundb.models import JobState, PluginResult, PluginResultJob
from rundb.paths import DIR_MODE

from .config import OUTPUT_FOLDER, effective_config, is_installed, plan_user_input
from .launch_context import LaunchContext
from .launch_script import exit_code_path, launch_script_name, render_launch_script, write_script
from .reportinfo import COMPOSITE, pluginresult_dir
from .startplugin import build_startplugin, write_startplugin
from .validation import validation_messages

log = logging.getLogger(__name__)

RUN_LEVELS = ["pre", "block", "separator", "default", "post", "last"]  # launch order
EXPORT = "export"
# Jobs that still run or wait; a hold on anything else is pointless.
ACTIVE = JobState.ACTIVE
SATISFYING = (JobState.COMPLETED, JobState.STARTED, JobState.QUEUED)


class PluginLaunchError(ReasonError, ValueError):
    """The launch was refused; str(exc) says why (shown to the API caller)."""


@dataclass
class _JobSpec:
    run_level: str
    block_id: str = ""
    results_dir: Path = None
    depends_on: list = field(default_factory=list)


def declared_runlevels(plugin):
    levels = (plugin.pluginsettings or {}).get("runlevels") or ["default"]
    return [lvl for lvl in RUN_LEVELS if lvl in levels]


def has_feature(plugin, feature):
    return feature in ((plugin.pluginsettings or {}).get("features") or [])


def default_owner():
    """Owner of pipeline runs when no user is given: ionadmin, else the first superuser."""
    User = get_user_model()
    user = User.objects.filter(username="ionadmin", is_active=True).first()
    user = user or User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise PluginLaunchError("No user to own the plugin run (create the ionadmin user)")
    return user


def launch_owner(user, wanted):
    """Who owns a manual launch: `user`, or the active user named `wanted` (superusers only).
    Raises PermissionError or ValueError."""
    if not wanted:
        return user
    if not user.is_superuser:
        raise PermissionError("Only a superuser may launch on behalf of another user")
    owner = get_user_model().objects.filter(username=wanted, is_active=True).first()
    if owner is None:
        raise ValueError(f"No active user {wanted!r}")
    return owner


def pluginresult_state(pr):
    """State of a run: Failed Validation, else the newest job's (not-yet-started jobs count as
    newest), else Unknown."""
    if (pr.validation_errors or {}).get("validation_errors"):
        return "Failed Validation"
    jobs = list(pr.plugin_result_jobs.all())
    if not jobs:
        return "Unknown"
    unstarted = [j for j in jobs if j.starttime is None]
    if unstarted:
        return max(unstarted, key=lambda j: j.pk).state
    return max(jobs, key=lambda j: (j.starttime, j.pk)).state


def _latest_job(pr, states=None):
    jobs = pr.plugin_result_jobs.all()
    if states is not None:
        jobs = jobs.filter(state__in=states)
    return jobs.order_by("-pk").first()


def _dependency_holds(result, plugin):
    """(startplugin `depends` map, [jobs to wait for]) for the plugin's declared depends."""
    depends, holds = {}, []
    for name in (plugin.pluginsettings or {}).get("depends") or []:
        for pr in PluginResult.objects.filter(result=result, plugin__name=name).select_related("plugin").order_by("-pk"):
            if pluginresult_state(pr) not in SATISFYING:
                continue
            pr.result = result  # the launch's row: its folder is known without another query
            entry = {
                "pluginresult": pr.pk,
                "version": pr.plugin.version,
                "pluginresult_path": str(pluginresult_dir(pr)),
            }
            job = _latest_job(pr)
            if job is not None and job.grid_engine_jobid:
                entry["jid"] = job.grid_engine_jobid
            depends[name] = entry
            holds.extend(pr.plugin_result_jobs.filter(state__in=ACTIVE))
            break
    return depends, holds


def new_session(kind="manual"):
    """A launch session id: one per pipeline run or manual launch request."""
    return f"{kind}-{uuid.uuid4().hex}"[:64]


def _other_active_jobs(result, pr, session):
    """Active jobs of the other plugins launched in `session` on this report."""
    return list(
        PluginResultJob.objects.filter(plugin_result__result=result, state__in=ACTIVE, session=session)
        .exclude(plugin_result=pr)
    )


def _job_specs(report, pr, levels, block_id):
    """One spec per job, in launch order (BLOCK: one per block of a composite report)."""
    composite = report.report_type == COMPOSITE
    blocks = ([block_id] if block_id else report.block_ids) if composite else []
    specs = []
    for level in levels:
        if level == "block":
            for bid in blocks:
                specs.append(_JobSpec("block", bid, pluginresult_dir(pr, run_level="block", block_id=bid)))
        else:
            specs.append(_JobSpec(level, "", pluginresult_dir(pr, run_level=level)))
    return specs


def _resolve_plugin_result(result, plugin, user, pluginresult):
    if pluginresult is None:
        return PluginResult(result=result, plugin=plugin, owner=user), True
    if not isinstance(pluginresult, PluginResult):
        pluginresult = PluginResult.objects.filter(pk=pluginresult).first()
        if pluginresult is None:
            raise PluginLaunchError("The plugin result to rerun does not exist")
    if pluginresult.result_id != result.pk or pluginresult.plugin.name != plugin.name:
        raise PluginLaunchError(
            f"Plugin result {pluginresult.pk} belongs to another report or plugin and cannot be reused"
        )
    if pluginresult.plugin_id != plugin.pk:
        pluginresult.plugin = plugin  # rerun with the currently installed version
    return pluginresult, False


def launch_plugin(
    result,
    plugin,
    *,
    user,
    pluginconfig=None,
    run_mode="manual",
    run_level=None,
    pluginresult=None,
    block_id=None,
    session=None,
):
    """Launch `plugin` on `result`; returns the PluginResult.

    run_level None launches every run level the plugin declares (BLOCK once per block of a
    composite report); a given run_level launches only that level (BLOCK: `block_id`, or every
    block). `pluginresult` reuses an existing run of this plugin on this report (same folder,
    more jobs). `session` is the launch session the jobs belong to (new_session(); None: a
    session of their own). The new jobs are available as `pr.launched_jobs`. Raises
    PluginLaunchError."""
    levels = _requested_levels(plugin, run_level)
    session = session or new_session(run_mode)
    if user is None:
        user = default_owner()
    if pluginconfig is not None and not isinstance(pluginconfig, dict):
        raise PluginLaunchError("pluginconfig must be a JSON object")
    ctx = LaunchContext.of(result, plugin, user=user, run_mode=run_mode, session=session)
    plan_config = plan_user_input(ctx.report.selected_plugins, plugin.name) if run_mode == "pipeline" else None
    ctx.config, _source = effective_config(plugin, run_mode=run_mode, instance_config=pluginconfig,
                                           plan_config=plan_config)

    messages = validation_messages(plugin, ctx.config, run_mode)  # may run plugin code: outside the transaction
    pr, created = _resolve_plugin_result(result, plugin, user, pluginresult)
    made = []  # folders this call created: removed again when the launch fails
    try:
        with transaction.atomic():
            pr = _record_run(ctx, pr, created, messages)
            if messages:
                log.info("plugin %s on report %s failed validation: %s", plugin.name, result.pk, messages)
                return pr
            _launch_jobs(ctx, pr, levels, block_id, made)
    except Exception:
        for path in reversed(made):
            shutil.rmtree(path, ignore_errors=True)
        raise
    log.info(
        "launched %s on report %s: plugin result %s, jobs %s",
        plugin.name, result.pk, pr.pk, [j.pk for j in pr.launched_jobs],
    )
    return pr


def _requested_levels(plugin, run_level):
    """The run levels to launch, after checking the plugin is installed and the level exists."""
    if not is_installed(plugin):
        raise PluginLaunchError(f"Plugin {plugin.name} {plugin.version} is not installed")
    if run_level is not None and run_level not in RUN_LEVELS:
        raise PluginLaunchError(f"Unknown run level {run_level!r}; use one of {', '.join(RUN_LEVELS)}")
    return declared_runlevels(plugin) if run_level is None else [run_level]


def _record_run(ctx, pr, created, messages):
    """Save the run (locked for the rest of the transaction) with a new key, the effective
    configuration and the validation messages; returns the locked row."""
    if created:
        pr.save()
    else:
        pr.save(update_fields=["plugin"])
    pr = PluginResult.objects.select_for_update().select_related("plugin").get(pk=pr.pk)
    pr.result = ctx.result  # the row this launch already read (and its report folder)
    # Every launch issues its own key: the database keeps only its hash (on the run and on
    # each job launched now), the plain key goes to these jobs' startplugin.json / script.
    # Jobs of earlier launches keep theirs; each key dies with the last of its jobs.
    pr.regenerate_apikey()
    pr.config = ctx.config
    pr.validation_errors = {"validation_errors": messages} if messages else {}
    pr.save(update_fields=["apikey", "config", "validation_errors"])
    pr.launched_jobs = []
    return pr


def _launch_jobs(ctx, pr, levels, block_id, made):
    """Create the run's jobs in launch order, each waiting for what it must (module docstring)."""
    result, plugin = ctx.result, ctx.plugin
    specs = _job_specs(ctx.report, pr, levels, block_id)
    if not specs:
        raise PluginLaunchError(
            f"{plugin.name} runs only at the block level, which needs a composite report with blocks"
        )
    _ensure_dir(ctx.report.report_dir / OUTPUT_FOLDER, DIR_MODE, made)  # never world-writable
    depends, dep_holds = _dependency_holds(result, plugin)
    session_wide = _other_active_jobs(result, pr, ctx.session) if has_feature(plugin, EXPORT) else []
    previous = _latest_job(pr, ACTIVE)
    block_jobs = list(pr.plugin_result_jobs.filter(run_level="block", state__in=ACTIVE))
    for spec in specs:
        holds = list(dep_holds) + list(session_wide)
        if previous is not None:
            holds.append(previous)
        if spec.run_level == "post":
            holds.extend(block_jobs)
        if spec.run_level == "last":
            # LAST plugins wait for everything else but run side by side (SDK manual).
            holds.extend(j for j in _other_active_jobs(result, pr, ctx.session) if j.run_level != "last")
        job = _create_job(ctx, pr, spec, depends=depends, holds=holds, made=made)
        pr.launched_jobs.append(job)
        if spec.run_level == "block":
            block_jobs.append(job)
        else:
            previous = job


def _ensure_dir(path, mode, made):
    path = Path(path)
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    for p in reversed(missing):
        p.mkdir()
        os.chmod(p, mode)
        made.append(p)
    return path


def _dedupe(jobs):
    seen, out = set(), []
    for job in jobs:
        if job.pk not in seen:
            seen.add(job.pk)
            out.append(job)
    return out


def _create_job(ctx, pr, spec, *, depends, holds, made):
    results_dir = spec.results_dir
    _ensure_dir(results_dir, DIR_MODE, made)
    holds = [h for h in _dedupe(holds) if h.state in ACTIVE]
    job = PluginResultJob.objects.create(
        plugin_result=pr,
        run_level=spec.run_level,
        state=JobState.QUEUED,
        apikey_hash=pr.apikey,
        config=ctx.config,
        work_dir=str(results_dir),
        stdout_path=str(results_dir / "drmaa_stdout.txt"),
        session=ctx.session,
    )
    if holds:
        job.depends_on.add(*holds)
    job.plugin_result = pr
    script_path = _script_path(pr, job, results_dir)
    start = build_startplugin(
        ctx, pluginresult=pr, results_dir=results_dir, run_level=spec.run_level, block_id=spec.block_id,
        depends=depends, hold_jid=[h.grid_engine_jobid for h in holds if h.grid_engine_jobid],
    )
    write_startplugin(results_dir / "startplugin.json", start)
    write_startplugin(results_dir / "barcodes.json", ctx.barcodes)
    text = render_launch_script(
        plugin=ctx.plugin, pluginresult=pr, job=job, startplugin=start, run_level=spec.run_level,
        exit_code_file=exit_code_path(job, results_dir), genome_fasta=ctx.genome_fasta,
    )
    write_script(script_path, text)
    job.script_path = str(script_path)
    job.save(update_fields=["script_path"])
    return job


def _script_path(pr, job, results_dir):
    """ion_plugin_<Name>_launch.sh, unless another waiting job of this run still needs that file
    (several levels launched at once into one folder): then ion_plugin_<Name>_launch.<job>.sh."""
    canonical = Path(results_dir) / launch_script_name(pr.plugin.name)
    busy = (
        PluginResultJob.objects.filter(plugin_result=pr, script_path=str(canonical), state=JobState.QUEUED)
        .exclude(pk=job.pk)
        .exists()
    )
    if busy:
        return canonical.with_name(f"ion_plugin_{pr.plugin.name}_launch.{job.pk}.sh")
    return canonical
