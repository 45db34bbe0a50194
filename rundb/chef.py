"""May an Ion Chef run again on the cartridges it has loaded? (``GET getchefcartridgeusage/``)

A Chef kit whose reagent and solution cartridges serve several runs
(KitInfo.defaultCartridgeUsageCount) asks the server, before each run, how often and since when
each cartridge has been used. The answer keeps the original's shape and codes, which the
instrument acts on: ``allowRunToContinue``, ``errorCodes`` (E… stop the run, W… are warnings),
``detailMessages`` {code: text}, the usage counts and hours since each cartridge's first run.

Uses are the runs recorded with either serial (Experiment.chefReagentsSerialNum /
chefSolutionsSerialNum), planned runs included, pending and transferred ones not (the same set
as ``compositeexperiment/?chefReagentsSerialNum=R&chefSolutionsSerialNum=S``). This server does
not ask Ion Mesh peers for their runs: with peers configured the answer says so (W406), and
without any it says that too (W403), as the original did.
"""
import datetime as dt
import math

from dateutil.parser import ParserError
from dateutil.parser import parse as parse_date
from django.db.models import Q
from django.utils import timezone

from rundb.models import Experiment, IonMeshNode, KitInfo
from rundb.models.experiment import CHEF_SERIAL_MAX

# Runs that never reached the Chef do not count as uses of its cartridges
# (also compositeexperiment's cartridge filter, rundb/api/resources/results.py).
NOT_CARTRIDGE_USES = ("pending", "transferred")
REQUIRED = ("chefReagentsSerialNum", "chefSolutionsSerialNum", "kitName")
CLOCK_TOLERANCE = dt.timedelta(minutes=5)
CHEF_KIT_TYPES = ("TemplatingKit", "IonChefPrepKit")

MESSAGES = {
    "W100": "The solutions cartridge was first used more than {0} days ago; continuing the run is not recommended.",
    "W200": "The reagents cartridge was first used more than {0} days ago; continuing the run is not recommended.",
    "E300": "The reagents and solutions cartridges have been used a different number of times.",
    "E301": "The reagents cartridge has been used {0} times or more.",
    "E302": "The solutions cartridge has been used {0} times or more.",
    "E303": "Both the reagents and the solutions cartridges have been used {0} times or more.",
    "E304": "The kit has no cartridge usage limits: it is not a flexible-workflow Chef kit.",
    "E305": "Required inputs missing: {0}.",
    "E306": "chefCurrentTime differs from the server's clock by more than {0} minutes.",
    "E307": "No active Ion Chef kit of that name.",
    "E308": "The solutions cartridge was first used more than {0} days ago; the run cannot continue.",
    "E309": "The reagents cartridge was first used more than {0} days ago; the run cannot continue.",
    "E310": "chefCurrentTime is not a date and time (ISO 8601 expected).",
    "E311": "{0} is longer than the GS1 standard allows ({1} characters).",
    "W403": "No Ion Mesh is configured; only this server's runs were counted.",
    "W406": "Ion Mesh peers are configured but were not asked; only this server's runs were counted.",
}


class _Answer:
    def __init__(self):
        self.data = {"allowRunToContinue": True, "errorCodes": [], "detailMessages": {},
                     "numberReagentSerialUsage": 0, "numberSolutionSerialUsage": 0,
                     "hoursSinceReagentFirstUse": "", "hoursSinceSolutionFirstUse": ""}

    def add(self, code, *args):
        self.data["errorCodes"].append(code)
        self.data["detailMessages"][code] = MESSAGES[code].format(*args)
        if code.startswith("E"):
            self.data["allowRunToContinue"] = False

    @property
    def stopped(self):
        return not self.data["allowRunToContinue"]


def _chef_time(text):
    """The Chef's clock as an aware datetime (naive: UTC), or None when unreadable."""
    try:
        when = parse_date(text)
    except (ParserError, ValueError, OverflowError, TypeError):
        return None
    return when if timezone.is_aware(when) else when.replace(tzinfo=dt.timezone.utc)


def cartridge_usage(params, now=None):
    """The answer for query *params* (a mapping of the request's parameters)."""
    now = now or timezone.now()
    answer = _Answer()
    missing = [name for name in REQUIRED if not params.get(name)]
    if missing:
        answer.add("E305", ", ".join(missing))
        return answer.data
    chef_now = _chef_time(params.get("chefCurrentTime", ""))
    if chef_now is None:
        answer.add("E310")
        return answer.data
    if abs(chef_now - now) > CLOCK_TOLERANCE:
        answer.add("E306", int(CLOCK_TOLERANCE.total_seconds() // 60))
    for name in ("chefReagentsSerialNum", "chefSolutionsSerialNum"):
        if len(params[name]) > CHEF_SERIAL_MAX:
            answer.add("E311", name, CHEF_SERIAL_MAX)
    if answer.stopped:
        return answer.data

    kit = KitInfo.objects.filter(kitType__in=CHEF_KIT_TYPES, isActive=True, name__iexact=params["kitName"]).first()
    if kit is None:
        answer.add("E307")
        return answer.data
    uses, warn_days, max_days = (kit.defaultCartridgeUsageCount, kit.cartridgeExpirationDayLimit,
                                 kit.cartridgeBetweenUsageAbsoluteMaxDayLimit)
    answer.data.update(defaultCartridgeUsageCount=uses or "", cartridgeExpirationDayLimit=warn_days or "",
                       cartridgeBetweenUsageAbsoluteMaxDayLimit=max_days or "")
    if not uses or not warn_days:
        answer.add("E304")
        return answer.data

    reagents, solutions = params["chefReagentsSerialNum"], params["chefSolutionsSerialNum"]
    runs = (Experiment.objects.filter(Q(chefReagentsSerialNum=reagents) | Q(chefSolutionsSerialNum=solutions))
            .exclude(status__in=NOT_CARTRIDGE_USES)
            .values_list("chefReagentsSerialNum", "chefSolutionsSerialNum", "chefStartTime"))
    reagent_starts, solution_starts = [], []
    for run_reagents, run_solutions, started in runs:
        if run_reagents == reagents:
            answer.data["numberReagentSerialUsage"] += 1
            if started:
                reagent_starts.append(started)
        if run_solutions == solutions:
            answer.data["numberSolutionSerialUsage"] += 1
            if started:
                solution_starts.append(started)

    for starts, hours_key, stop_code, warn_code in ((solution_starts, "hoursSinceSolutionFirstUse", "E308", "W100"),
                                                    (reagent_starts, "hoursSinceReagentFirstUse", "E309", "W200")):
        if not starts:
            continue
        age = chef_now - min(starts)
        answer.data[hours_key] = math.floor(age.total_seconds() / 3600)
        if max_days and age.days > max_days:
            answer.add(stop_code, max_days)
        elif age.days > warn_days:
            answer.add(warn_code, warn_days)

    n_reagents, n_solutions = answer.data["numberReagentSerialUsage"], answer.data["numberSolutionSerialUsage"]
    if n_reagents >= uses and n_solutions >= uses:
        answer.add("E303", uses)
    elif n_reagents >= uses:
        answer.add("E301", uses)
    elif n_solutions >= uses:
        answer.add("E302", uses)
    if n_reagents != n_solutions:
        answer.add("E300")
    answer.add("W406" if IonMeshNode.objects.filter(share_data=True).exists() else "W403")
    return answer.data
