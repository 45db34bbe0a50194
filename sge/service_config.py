"""Job service timings and limits: the Django setting (iondb/settings.py reads it from the
environment), else the default.

    ION_JOB_DB_POLL            0.2    s between checks for new Queued rows and stop requests
    ION_JOB_STATUS_POLL        1.0    s between status polls of submitted jobs
    ION_JOB_RECONCILE_INTERVAL 30     s between reconciliations with the scheduler's job list
    ION_JOB_TIMEOUT            90000  s of wall clock a Started job may run (0: no limit)
    ION_JOB_LOST_GRACE         120    s a job may be unknown everywhere (scheduler, exit-code
                                      file, qacct) before it is recorded as Error
    ION_JOB_SUBMIT_RETRIES     5      failed submissions of one row before it becomes Error
    ION_JOB_BATCH              200    rows submitted per pass
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from django.conf import settings

_NAMES = {
    "db_poll": "ION_JOB_DB_POLL",
    "status_poll": "ION_JOB_STATUS_POLL",
    "reconcile_interval": "ION_JOB_RECONCILE_INTERVAL",
    "timeout": "ION_JOB_TIMEOUT",
    "lost_grace": "ION_JOB_LOST_GRACE",
    "submit_retries": "ION_JOB_SUBMIT_RETRIES",
    "batch": "ION_JOB_BATCH",
}


_INTEGERS = ("submit_retries", "batch")


@dataclass
class ServiceConfig:
    db_poll: float = 0.2
    status_poll: float = 1.0
    reconcile_interval: float = 30.0
    timeout: float = 90000.0
    lost_grace: float = 120.0
    submit_retries: int = 5
    batch: int = 200

    @classmethod
    def from_settings(cls, **overrides) -> "ServiceConfig":
        values = {}
        for f in fields(cls):
            name = _NAMES[f.name]
            raw = getattr(settings, name, None)
            if raw is None or raw == "":
                continue
            try:
                value = (int if f.name in _INTEGERS else float)(raw)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{name}={raw!r} is not a number") from exc
            if value < 0:
                raise ValueError(f"{name}={raw!r} must not be negative")
            values[f.name] = value
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
