"""Every state change the job service makes goes through here: one forward-only conditional
UPDATE (rundb.models.jobs.advance_job_state), then the kind's hook for final states."""
from __future__ import annotations

import logging

from rundb.jobstates import JobState
from rundb.models.jobs import advance_job_state

log = logging.getLogger("sge.service")

MAX_MESSAGE = 2000


def move(kind, pk, state, *, message=None, **fields) -> bool:
    """Advance row *pk* of *kind* to *state*; True when this call changed it."""
    if message is not None:
        fields["message"] = str(message)[:MAX_MESSAGE]
    changed = advance_job_state(kind.model, pk, state, **fields)
    if changed:
        log.info("%s %s -> %s%s", kind.tag, pk, state, f" ({fields['message']})" if fields.get("message") else "")
        if state in JobState.FINAL:
            try:
                kind.on_final(pk)
            except Exception:  # bookkeeping only; the state change stands
                log.exception("after-final hook of %s %s failed", kind.tag, pk)
    return changed
