"""Parser for the instrument's run log, `explog.txt` / `explog_final.txt`.

The file is `Key: Value` text. Keys are normalised (whitespace and runs of `/` become `_`,
lower case), so `Experiment Name` is `experiment_name`. Later duplicates win. Lines that are
not entries are skipped with a warning instead of failing the run: instruments write these
files while they run, and a half-written or corrupted line must not hide the rest.

Pure Python (no Django): the crawler maps the result onto the database in `runs.py`.
"""
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

EXPLOG = "explog.txt"
EXPLOG_FINAL = "explog_final.txt"

# Keys that must be present (non-empty) for a run to be ingested; each entry is a tuple of
# alternatives, any one of which satisfies it. Display names are used in error messages.
REQUIRED_KEYS = (
    (("experiment_name",), "Experiment Name"),
    (("flows", "cycles"), "Flows (or Cycles)"),
)

MAX_EXPLOG_BYTES = 16 * 1024 * 1024  # real ones are a few hundred kB; anything larger is not an explog
MAX_KEY_LENGTH = 128
# A key is plain text; a garbled line that happens to contain a colon is rejected here.
_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \t_\-/().#%+,\[\]']*$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# Section headers look like `ExperimentErrorLog:` with nothing after the colon.
_SECTION_RE = re.compile(r"^\s*(Experiment[A-Za-z]*Log)\s*:\s*$")
ERROR_SECTION = "ExperimentErrorLog"

INT_KEYS = {
    "datacollect_version", "liveview_version", "firmware_version", "fpga_version",
    "driver_version", "board_version", "cycles", "frequency", "num_frames", "flows",
}
FLOAT_KEYS = {"gain", "frame_time", "dac"}
BOOL_KEYS = {
    "prerun", "livechip", "continuous_clocking", "auto_cal", "autoanalyze", "prebeadfind",
    "analyzeearly", "postbeadfind",
}

# Start Time formats seen on instruments: PGM, Proton/S5, and ISO forms from newer software.
DATE_FORMATS = (
    "%a %b %d %H:%M:%S %Y",
    "%m/%d/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%d %b %Y %H:%M:%S",
)
_FOLDER_DATE_RE = re.compile(r"R_(\d{4})_(\d{2})_(\d{2})_(\d{2})_(\d{2})_(\d{2})")

# Image Map tokens of the PGM (reagent slot -> nucleotide).
_IMAGE_MAP_TOKENS = {"R1": "G", "R2": "C", "R3": "A", "R4": "T", "T": "T", "A": "A", "C": "C", "G": "G"}
DEFAULT_FLOW_ORDER = "TACG"


class ExplogError(ValueError):
    """The explog cannot be used: unreadable, empty, or missing required keys."""

    def __init__(self, message, *, missing=()):
        super().__init__(message)
        self.missing = tuple(missing)


@dataclass
class Explog:
    """Parsed explog. `values` holds typed values keyed by normalised key."""

    values: dict = field(default_factory=dict)
    blocks: list = field(default_factory=list)
    thumbnails: list = field(default_factory=list)
    error_log: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    repeated_keys: list = field(default_factory=list)
    critical: list = field(default_factory=list)  # texts after "Critical:" in the WARNINGS part
    source: str = ""

    def get(self, key, default=None):
        value = self.values.get(key, default)
        return default if value is None else value

    def text(self, *keys, default=""):
        """First non-empty value among `keys`, as a stripped string."""
        for key in keys:
            value = self.values.get(key)
            if value is not None and str(value).strip() != "":
                return str(value).strip()
        return default

    def has(self, key):
        value = self.values.get(key)
        return value is not None and str(value).strip() != ""

    @property
    def aborted(self):
        return any(c.lower().startswith("aborted") for c in self.critical)

    @property
    def lost_chip_connection(self):
        return any(c.lower().startswith("lost chip connection") for c in self.critical)

    def missing_required(self):
        return [label for keys, label in REQUIRED_KEYS if not any(self.has(k) for k in keys)]

    def require(self):
        """Raise ExplogError naming every missing required key."""
        missing = self.missing_required()
        if missing:
            where = f" in {self.source}" if self.source else ""
            raise ExplogError(f"explog is missing required key(s){where}: {', '.join(missing)}", missing=missing)
        return self

    def as_log(self):
        """JSON-able form stored in Experiment.log."""
        data = dict(self.values)
        if self.blocks:
            data["blocks"] = list(self.blocks)
        if self.thumbnails:
            data["thumbnails"] = list(self.thumbnails)
        if self.error_log:
            data["experiment_error_log"] = list(self.error_log)
        return data


def normalise_key(name):
    name = re.sub(r"/+", "_", name.strip())
    return re.sub(r"\s", "_", name).lower()


def clean_text(raw):
    """Bytes or str -> printable ASCII text (TAB and newlines kept, other controls dropped)."""
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", errors="ignore")
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [_CONTROL_RE.sub("", line) for line in lines]


def parse_explog_text(raw, *, source=""):
    """Parse explog content (bytes or str). Never raises for bad lines; see `Explog.require`."""
    log = Explog(source=source)
    raw_values = {}
    in_error_section = False
    in_warnings = False
    for number, line in enumerate(clean_text(raw), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        section = _SECTION_RE.match(line)
        if section:
            in_error_section = section.group(1) == ERROR_SECTION
            continue
        if stripped.upper().startswith("WARNINGS:"):
            in_warnings = True
        if in_warnings and "Critical:" in stripped:
            log.critical.append(stripped.split("Critical:", 1)[1].strip())
        if in_error_section:
            log.error_log.append(stripped)
            continue
        if stripped.startswith("BlockStatus"):
            _, _, rest = stripped.partition(":")
            if rest.strip():
                log.blocks.append(rest.strip())
            continue
        name, sep, value = stripped.partition(":")
        if not sep or not name.strip() or len(name) > MAX_KEY_LENGTH or not _KEY_RE.match(name.strip()):
            log.warnings.append(f"line {number}: not a 'Key: Value' line, skipped: {stripped[:60]!r}")
            continue
        key = normalise_key(name)
        value = value.strip()
        if key.startswith("block_"):
            log.blocks.append(value)
            continue
        if key.startswith("thumbnail_"):
            log.thumbnails.append(value)
            continue
        if key in raw_values and raw_values[key] != value and key not in log.repeated_keys:
            log.repeated_keys.append(key)
        raw_values[key] = value
    for key, value in raw_values.items():
        log.values[key] = _typed(key, value, log.warnings)
    return log


def read_explog(path):
    """Read and parse an explog file; ExplogError if it is missing, empty or oversized."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_EXPLOG_BYTES:
            raise ExplogError(f"{path.name} is {size} bytes, too large to be an explog")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ExplogError(f"{path.name} not found in {path.parent}") from None
    except OSError as exc:
        raise ExplogError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not data.strip():
        raise ExplogError(f"{path.name} is empty")
    log = parse_explog_text(data, source=path.name)
    if not log.values and not log.blocks:
        raise ExplogError(f"{path.name} has no 'Key: Value' lines (garbled?)")
    return log


# -- typed values ---------------------------------------------------------------------------

def _typed(key, value, warnings):
    try:
        if key in INT_KEYS:
            return int(float(value)) if value else None
        if key in FLOAT_KEYS:
            return _parse_float_or_dac(key, value)
        if key in BOOL_KEYS:
            return parse_yes_no(value)
        if key == "oversample":
            return int(value.lower().rstrip("x")) if value else None
        if key == "script_version":
            return [int(p) for p in value.split(".")] if value else None
        if key == "cal_chip_hist":
            return [int(p) for p in value.split()] if value else None
        if key == "cal_chip_high_low_inrange":
            parts = [int(p) for p in value.replace(",", " ").split()]
            if len(parts) != 3:
                raise ValueError("expected 3 integers")
            return parts
    except ValueError:
        warnings.append(f"{key}: cannot read value {value[:40]!r}; stored as null")
        return None
    return value


def _parse_float_or_dac(key, value):
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        if key == "dac":
            parts = [int(p) for p in value.split()]
            if len(parts) == 8:
                return parts
        raise


def parse_yes_no(value):
    """'yes'/'no' (any case, also true/false/1/0) -> bool; anything else -> None."""
    text = str(value).strip().lower()
    if text in ("yes", "true", "1", "on"):
        return True
    if text in ("no", "false", "0", "off"):
        return False
    return None


# -- derived values -------------------------------------------------------------------------

def parse_start_time(value):
    """Naive datetime from an explog `Start Time`, or None if no known format matches."""
    text = " ".join(str(value or "").split())
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:  # ISO with fraction/offset; offset dropped, instruments log local wall-clock time
        return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None


def date_from_folder_name(name):
    match = _FOLDER_DATE_RE.search(name or "")
    if not match:
        return None
    try:
        return datetime(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def strip_folder_date(name):
    """`R_2012_04_30_15_22_02_user_T1` -> `user_T1`."""
    return re.sub(r"^R_\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}_", "", name or "")


def flow_order_from_image_map(image_map):
    """PGM `Image Map` -> flow order; a value without spaces is the flow order itself.

    Returns "" when no map is given, and the default order when the map yields < 4 flows.
    """
    text = str(image_map or "").strip().upper()
    if not text:
        return ""
    if " " not in text:
        order = "".join(c for c in text if c in "TACG")
    else:
        order = "".join(_IMAGE_MAP_TOKENS.get(tok, "") for tok in text.split())
    return order if len(order) >= 4 else DEFAULT_FLOW_ORDER


def normalise_chip_type(value):
    """Chip version/type as the catalog names it (`1.10.x` -> `P1.1.17`, `1.20.x` -> `P1.2.18`)."""
    text = str(value or "").strip().strip('"').strip()
    if text.startswith("1.10"):
        return "P1.1.17"
    if text.startswith("1.20"):
        return "P1.2.18"
    return text[:32]


def none_to_blank(value):
    """Instruments write `none` for 'not set'."""
    text = str(value or "").strip()
    return "" if text.lower() == "none" else text


def blocks_auto_analyze(blocks):
    """True if any block entry carries `AutoAnalyze:1`."""
    for entry in blocks:
        fields = [f.strip() for f in entry.split(",")]
        if any(f.replace(" ", "").lower() == "autoanalyze:1" for f in fields):
            return True
    return False


def block_dir(entry):
    """`X0, Y0, W1288, H1332, ...` -> `X0_Y0`."""
    fields = [f.strip() for f in entry.split(",")]
    return f"{fields[0]}_{fields[1]}" if len(fields) >= 2 else ""


def data_blocks(blocks):
    """Block entries that are real chip blocks (not the thumbnail)."""
    out = []
    for entry in blocks:
        fields = [f.strip() for f in entry.split(",")]
        if fields and fields[0].lower() == "thumbnail":
            continue
        if len(fields) >= 2 and fields[0] == "0" and fields[1] == "0":
            continue
        out.append(entry)
    return out
