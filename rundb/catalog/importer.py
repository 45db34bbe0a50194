"""Import the original server's Django-fixture JSON into our catalog tables.

A lab moving from an old Torrent Suite server brings its barcode kits, chips, kits and run
types over with these files. Their models and fields are close to ours but not the same, so
this is a mapping, not ``loaddata``:

* rows are matched by natural key (never by the file's primary keys, which are meaningless
  here) and created or updated in place, so importing a file twice changes nothing;
* fields we do not have are ignored and counted; models we do not have are skipped with a
  note;
* references use the file's natural keys (``"kit": ["SEQ0001"]``) or, for integer
  references, the primary keys of objects in the same file;
* ``auth.user`` objects are skipped unless asked for: a file must not silently create an
  administrator whose password someone else knows;
* one transaction per file: a bad object anywhere leaves the database as it was.
"""
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone as dt_timezone
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.utils import timezone

from rundb import models as rundb

COUNT_KINDS = ("created", "updated", "unchanged", "kept", "skipped")


class FixtureError(ValueError):
    """The file is not a usable fixture, or one of its objects cannot be stored."""


@dataclass
class ImportReport:
    """What one file did to the database, per fixture model label (lower-cased)."""

    source: str
    counts: dict = field(default_factory=dict)  # label -> Counter over COUNT_KINDS
    ignored_fields: dict = field(default_factory=dict)  # label -> Counter of field names
    notes: list = field(default_factory=list)

    def count(self, label, kind, n=1):
        self.counts.setdefault(label, Counter())[kind] += n

    def ignore(self, label, name):
        self.ignored_fields.setdefault(label, Counter())[name] += 1

    def total(self, kind):
        return sum(c[kind] for c in self.counts.values())

    def lines(self):
        """Human-readable summary, one line per model, then ignored fields and notes."""
        out = [self.source]
        width = max((len(label) for label in self.counts), default=0)
        for label, c in self.counts.items():
            figures = "  ".join(f"{kind} {c[kind]}" for kind in COUNT_KINDS if kind != "kept" or c[kind])
            out.append(f"  {label:<{width}}  {figures}")
        for label, names in self.ignored_fields.items():
            listed = ", ".join(f"{name} ({n})" for name, n in sorted(names.items()))
            out.append(f"  ignored fields of {label}: {listed}")
        out.extend(f"  note: {note}" for note in self.notes)
        return out


# ---------------------------------------------------------------------------- reading


def read_fixture(path):
    """Parse and shape-check a fixture file; returns its list of objects or raises FixtureError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FixtureError(f"{path}: cannot read file: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FixtureError(f"{path}: not valid JSON: {exc}") from exc
    check_fixture_shape(data, str(path))
    return data


def check_fixture_shape(data, source):
    if not isinstance(data, list):
        raise FixtureError(
            f"{source}: not a Django fixture: expected a JSON list of objects, got {type(data).__name__}"
        )
    for i, obj in enumerate(data):
        if not isinstance(obj, dict):
            raise FixtureError(f"{source}: object #{i} is not a JSON object")
        model = obj.get("model")
        if not isinstance(model, str) or model.count(".") != 1:
            raise FixtureError(f"{source}: object #{i} has no 'model' of the form 'app.model'")
        if not isinstance(obj.get("fields"), dict):
            raise FixtureError(f"{source}: object #{i} ({model}) has no 'fields' object")


# ---------------------------------------------------------------------------- model specs


@dataclass
class Spec:
    """How one fixture model maps onto ours.

    ``keys``: natural keys tried in order to find an existing row (an empty tuple means the
    table holds a single row). ``refs``: field name -> (target fixture label, target key
    field) for foreign keys. ``rank``: processing order inside a file, so that targets of
    references are stored before the objects that point at them.
    """

    model: type
    keys: tuple
    rank: int
    refs: dict = field(default_factory=dict)
    skip: tuple = ()  # fields left out on purpose (counted as ignored)


SPECS = {
    "rundb.location": Spec(rundb.Location, (("name",),), 0),
    "rundb.fileserver": Spec(rundb.FileServer, (("name",),), 1, {"location": ("rundb.location", "name")}),
    "rundb.reportstorage": Spec(rundb.ReportStorage, (("name",),), 1),
    "rundb.globalconfig": Spec(rundb.GlobalConfig, ((),), 1),
    "rundb.applicationgroup": Spec(rundb.ApplicationGroup, (("uid",), ("name",)), 2),
    "rundb.runtype": Spec(rundb.RunType, (("runType",),), 3),
    "rundb.floworder": Spec(rundb.FlowOrder, (("name",),), 2),
    "rundb.threeprimeadapter": Spec(rundb.ThreePrimeAdapter, (("uid",), ("name",)), 2),
    "rundb.librarykey": Spec(rundb.LibraryKey, (("name",),), 2),
    "rundb.chip": Spec(rundb.Chip, (("name",),), 2),
    "rundb.kitinfo": Spec(
        rundb.KitInfo,
        (("name",), ("uid",)),
        4,
        {
            "defaultFlowOrder": ("rundb.floworder", "name"),
            "defaultThreePrimeAdapter": ("rundb.threeprimeadapter", "uid"),
        },
    ),
    "rundb.kitpart": Spec(rundb.KitPart, (("barcode",),), 5, {"kit": ("rundb.kitinfo", "uid")}),
    "rundb.dnabarcode": Spec(rundb.dnaBarcode, (("name", "id_str"),), 2),
    "rundb.template": Spec(rundb.Template, (("name", "key"),), 2),
    "rundb.samplegrouptype_cv": Spec(rundb.SampleGroupType_CV, (("uid",), ("displayedName",)), 2),
    "rundb.common_cv": Spec(rundb.Common_CV, (("uid",),), 2),
    "rundb.sampleattributedatatype": Spec(rundb.SampleAttributeDataType, (("dataType",),), 2),
    "rundb.sampleannotation_cv": Spec(rundb.SampleAnnotation_CV, (("uid",),), 3,
                                      {"sampleGroupType_CV": ("rundb.samplegrouptype_cv", "uid")}),
    "rundb.applproduct": Spec(
        rundb.ApplProduct,
        (("productCode",),),
        5,
        {
            "applType": ("rundb.runtype", "runType"),
            "applicationGroup": ("rundb.applicationgroup", "uid"),
        },
        # The default kits live in another fixture file (ts_dbData_chips_kits.json), so linking
        # them would depend on the order files are imported in; they are left for the admin.
        skip=("defaultSequencingKit", "defaultLibraryKit", "defaultTemplateKit", "defaultSamplePrepKit",
              "defaultControlSeqKit", "defaultIonChefPrepKit", "defaultIonChefSequencingKit"),
    ),
}
# Handled by their own functions below.
RUNTYPE_GROUPS = "rundb.runtype_applicationgroups"
USER = "auth.user"
RANKS = {**{label: spec.rank for label, spec in SPECS.items()}, RUNTYPE_GROUPS: 6, USER: 7}

# Natural key fields of the file's objects, used to turn an integer reference (a pk in the
# file) into something we can look up.
FILE_KEYS = {label: spec.keys[0] for label, spec in SPECS.items()}


def label_of(obj):
    app, _, name = obj["model"].partition(".")
    return f"{app.lower()}.{name.lower()}"


# ---------------------------------------------------------------------------- importing


def import_fixture_file(path, *, include_users=False, update=True):
    """Import one fixture file in one transaction; returns its ImportReport.

    ``update=False`` only creates missing rows and leaves existing ones as they are (what
    ``load_catalog`` does at every start, so a lab's own edits survive).
    """
    objects = read_fixture(path)
    return import_objects(objects, source=str(path), include_users=include_users, update=update)


def import_objects(objects, *, source, include_users=False, update=True):
    check_fixture_shape(objects, source)
    importer = _Importer(objects, source, include_users=include_users, update=update)
    with transaction.atomic():
        importer.run()
    return importer.report


class _Importer:
    def __init__(self, objects, source, *, include_users, update):
        self.objects = objects
        self.report = ImportReport(source=source)
        self.include_users = include_users
        self.update = update
        self._index = {}  # label -> {key tuple: {values: instance}}
        # (label, pk in file) -> fields, for integer references inside the file.
        self.by_file_pk = {
            (label_of(obj), obj.get("pk")): obj["fields"] for obj in objects if obj.get("pk") is not None
        }

    def run(self):
        order = sorted(range(len(self.objects)), key=lambda i: RANKS.get(label_of(self.objects[i]), 99))
        unsupported = Counter()
        for i in order:
            obj = self.objects[i]
            label = label_of(obj)
            where = f"{self.report.source}: object #{i} ({obj['model']})"
            try:
                if label in SPECS:
                    self.upsert(label, obj["fields"], where)
                elif label == RUNTYPE_GROUPS:
                    self.link_runtype_group(obj["fields"], where)
                elif label == USER:
                    self.user(obj["fields"], where)
                else:
                    unsupported[obj["model"]] += 1
            except DatabaseError as exc:
                raise FixtureError(f"{where}: the database refused it: {exc}") from exc
        for model, n in unsupported.items():
            self.report.count(model.lower(), "skipped", n)
            self.report.notes.append(f"{model}: {n} object(s) skipped: Torrent Server has no such model")
        skipped_users = self.report.counts.get(USER, Counter())["skipped"]
        if skipped_users and not self.include_users:
            self.report.notes.append(
                f"auth.user: {skipped_users} user account(s) skipped; accounts are imported only "
                "when asked for (--include-users)"
            )

    # -- lookups ----------------------------------------------------------------------

    def index(self, label):
        """All rows of a (small) catalog table, by each of its natural keys."""
        if label not in self._index:
            spec = SPECS[label]
            by_key = {keys: {} for keys in spec.keys}
            for row in spec.model.objects.order_by("pk"):
                for keys in spec.keys:
                    by_key[keys].setdefault(tuple(getattr(row, k) for k in keys), row)
            self._index[label] = by_key
        return self._index[label]

    def remember(self, label, row):
        for keys, rows in self.index(label).items():
            rows[tuple(getattr(row, k) for k in keys)] = row

    def find(self, label, values):
        for keys, rows in self.index(label).items():
            if all(k in values for k in keys):
                row = rows.get(tuple(values[k] for k in keys))
                if row is not None:
                    return row
        return None

    def resolve(self, target_label, key_field, ref, where, name):
        """A reference as the file writes it -> our row, or None with a note."""
        if ref is None:
            return None
        if isinstance(ref, (list, tuple)):
            if len(ref) != 1:
                raise FixtureError(f"{where}: field '{name}': natural key {ref!r} should have one element")
            values = {key_field: ref[0]}
        elif isinstance(ref, int) and not isinstance(ref, bool):
            fields = self.by_file_pk.get((target_label, ref))
            if fields is None:
                self.report.notes.append(
                    f"{where}: '{name}' refers to {target_label} pk {ref}, which is not in this file; left empty"
                )
                return None
            values = {k: fields.get(k) for k in FILE_KEYS[target_label]}
        else:
            raise FixtureError(f"{where}: field '{name}': cannot read reference {ref!r}")
        row = self.find(target_label, values)
        if row is None:
            self.report.notes.append(f"{where}: '{name}' refers to unknown {target_label} {ref!r}; left empty")
        return row

    # -- plain catalog rows -------------------------------------------------------------

    def upsert(self, label, fields, where):
        spec = SPECS[label]
        values = {}
        for name, raw in fields.items():
            if name in spec.skip:
                self.report.ignore(label, name)
                continue
            if name in spec.refs:
                target, key_field = spec.refs[name]
                values[name] = self.resolve(target, key_field, raw, where, name)
                continue
            model_field = _concrete_field(spec.model, name)
            if model_field is None:
                self.report.ignore(label, name)
                continue
            values[name] = coerce(model_field, raw, where)
        # A kit part without its kit cannot be stored (the kit is required).
        for name, (target, _) in spec.refs.items():
            if values.get(name) is None and not spec.model._meta.get_field(name).null:
                self.report.count(label, "skipped")
                self.report.notes.append(f"{where}: skipped: '{name}' is missing or unknown")
                return
        keys = [k for alt in spec.keys for k in alt]
        if spec.keys != ((),) and not any(all(values.get(k) not in (None, "") for k in alt) for alt in spec.keys):
            self.report.count(label, "skipped")
            self.report.notes.append(f"{where}: skipped: no natural key ({', '.join(keys)})")
            return

        row = self.find(label, values)
        if row is None:
            row = spec.model(**values)
            _validate_lengths(row, where)
            row.save()
            self.remember(label, row)
            self.report.count(label, "created")
            return
        changed = [name for name, value in values.items() if _current(row, name) != _comparable(value)]
        if not changed:
            self.report.count(label, "unchanged")
        elif not self.update:
            self.report.count(label, "kept")
        else:
            for name in changed:
                setattr(row, name, values[name])
            _validate_lengths(row, where)
            row.save(update_fields=changed)
            self.remember(label, row)
            self.report.count(label, "updated")

    # -- run type <-> application group (the original's M2M table) -----------------------

    def link_runtype_group(self, fields, where):
        runtype = self.resolve("rundb.runtype", "runType", fields.get("runtype"), where, "runtype")
        group = self.resolve("rundb.applicationgroup", "uid", fields.get("applicationgroup"), where, "applicationgroup")
        if runtype is None or group is None:
            self.report.count(RUNTYPE_GROUPS, "skipped")
            return
        if runtype.applicationGroups.filter(pk=group.pk).exists():
            self.report.count(RUNTYPE_GROUPS, "unchanged")
        else:
            runtype.applicationGroups.add(group)
            self.report.count(RUNTYPE_GROUPS, "created")

    # -- user accounts ---------------------------------------------------------------------

    def user(self, fields, where):
        if not self.include_users:
            self.report.count(USER, "skipped")
            return
        User = get_user_model()
        username = fields.get("username")
        if not isinstance(username, str) or not username:
            raise FixtureError(f"{where}: no username")
        profile = {}
        for name in ("first_name", "last_name", "email"):
            if name in fields:
                profile[name] = coerce(User._meta.get_field(name), fields[name], where)
        user = User._default_manager.filter(username=username).first()
        if user is not None:
            # Never the password or the privilege flags of an account that already exists.
            changed = [n for n, v in profile.items() if getattr(user, n) != v]
            if changed and self.update:
                for n in changed:
                    setattr(user, n, profile[n])
                user.save(update_fields=changed)
                self.report.count(USER, "updated")
            else:
                self.report.count(USER, "kept" if changed else "unchanged")
        else:
            user = User(username=username, **profile)
            for name in ("is_active", "is_staff", "is_superuser", "date_joined", "last_login"):
                if name in fields:
                    setattr(user, name, coerce(User._meta.get_field(name), fields[name], where))
            password = fields.get("password")
            if isinstance(password, str) and "$" in password:
                user.password = password  # an already-hashed password, as Django stores it
            else:
                user.set_unusable_password()
            user.save()
            self.report.count(USER, "created")
            if user.is_superuser:
                self.report.notes.append(
                    f"{where}: created superuser '{username}' with the password hash from the file; "
                    "change its password"
                )
        for ref in fields.get("groups") or []:
            name = ref[0] if isinstance(ref, (list, tuple)) and ref else ref
            group = Group.objects.filter(name=name).first() if isinstance(name, str) else None
            if group is None:
                self.report.notes.append(f"{where}: group {ref!r} does not exist here; not added")
            else:
                user.groups.add(group)
        for ref in fields.get("user_permissions") or []:
            try:
                user.user_permissions.add(Permission.objects.get_by_natural_key(*ref))
            except (Permission.DoesNotExist, TypeError, ValueError):
                self.report.notes.append(f"{where}: permission {ref!r} does not exist here; not added")


# ---------------------------------------------------------------------------- values


def _concrete_field(model, name):
    try:
        f = model._meta.get_field(name)
    except Exception:
        return None
    if not getattr(f, "concrete", False) or f.is_relation or f.primary_key:
        return None
    return f


def coerce(model_field, raw, where):
    """The file's value as our field stores it, or FixtureError naming the field."""
    name = model_field.name
    if raw is None:
        if model_field.null:
            return None
        if isinstance(model_field, (models.CharField, models.TextField)):
            return ""
        if model_field.has_default():
            return model_field.get_default()
        raise FixtureError(f"{where}: field '{name}' may not be null")
    if isinstance(model_field, models.JSONField):
        if isinstance(raw, str):
            try:
                return json.loads(raw) if raw.strip() else {}
            except json.JSONDecodeError as exc:
                raise FixtureError(f"{where}: field '{name}' is not valid JSON text: {exc}") from exc
        return raw
    if isinstance(model_field, (models.CharField, models.TextField)):
        if isinstance(raw, (dict, list)):
            raise FixtureError(f"{where}: field '{name}' should be text, got {type(raw).__name__}")
        return raw if isinstance(raw, str) else str(raw)
    if isinstance(model_field, models.BooleanField) and not isinstance(raw, (bool, int, str)):
        raise FixtureError(f"{where}: field '{name}' should be true/false, got {raw!r}")
    if isinstance(model_field, (models.IntegerField, models.FloatField)) and isinstance(raw, bool):
        raise FixtureError(f"{where}: field '{name}' should be a number, got {raw!r}")
    try:
        value = model_field.to_python(raw)
    except ValidationError as exc:
        raise FixtureError(f"{where}: field '{name}': {'; '.join(exc.messages)} (got {raw!r})") from exc
    if isinstance(value, datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value, dt_timezone.utc)
    return value


def _validate_lengths(row, where):
    for f in row._meta.concrete_fields:
        value = getattr(row, f.attname)
        if isinstance(f, models.CharField) and f.max_length and isinstance(value, str) and len(value) > f.max_length:
            raise FixtureError(f"{where}: field '{f.name}' is longer than {f.max_length} characters")


def _current(row, name):
    f = row._meta.get_field(name)
    return getattr(row, f.attname) if f.is_relation else getattr(row, name)


def _comparable(value):
    return value.pk if isinstance(value, models.Model) else value
