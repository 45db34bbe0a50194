"""``1.wells``: per-well flowgrams in HDF5 (h5py).

Layout written here (a compatible subset of the original):
    /wells            float32 [rows, cols, flows], chunked by row bands;
                      attrs: FlowOrder, LibraryKey, TFKey, ChipType, RAWWELLS_VERSION=2
    /info_keys        string array   } key/value records (FlowOrder, Flows, ChipType, ...)
    /info_values      string array   }
A uint16 ``/wells`` with attrs ``convert_low``/``convert_high`` is also accepted on read.

Problems with the file (missing, not HDF5, truncated, wrong shape, unreadable chunk)
raise :class:`WellsFormatError` with the path and the reason.
"""
from __future__ import annotations

import numpy as np

from .bgzf import Closable

RAWWELLS_VERSION = 2


class WellsFormatError(ValueError):
    """The 1.wells file is missing, truncated, corrupt or inconsistent."""


def _h5py():
    import h5py  # imported lazily: only the wells path needs it

    return h5py


class WellsWriter(Closable):
    """Create a 1.wells file and fill it band by band (bounded memory)."""

    def __init__(self, path, rows: int, cols: int, flow_order: str, *, info: dict | None = None,
                 compression: str | None = None, band_rows: int = 16):
        h5py = _h5py()
        flows = len(flow_order)
        self.path = path
        self.rows, self.cols, self.flows = rows, cols, flows
        self._fh = h5py.File(path, "w")
        chunk = (max(1, min(rows, band_rows)), max(1, min(cols, 512)), flows)
        self._ds = self._fh.create_dataset("wells", shape=(rows, cols, flows), dtype="<f4",
                                           chunks=chunk, compression=compression,
                                           fillvalue=0.0)
        records = {"FlowOrder": flow_order, "Flows": str(flows), "Rows": str(rows),
                   "Cols": str(cols)}
        records.update({k: str(v) for k, v in (info or {}).items()})
        for key, value in records.items():
            if key in ("FlowOrder", "LibraryKey", "TFKey", "ChipType"):
                self._ds.attrs[key] = value
        self._ds.attrs["RAWWELLS_VERSION"] = RAWWELLS_VERSION
        str_dt = h5py.string_dtype("ascii")
        self._fh.create_dataset("info_keys", data=np.array(list(records), dtype=object),
                                dtype=str_dt)
        self._fh.create_dataset("info_values", data=np.array(list(records.values()),
                                                             dtype=object), dtype=str_dt)

    def write_rows(self, row0: int, values: np.ndarray) -> None:
        """Write a band of full rows ``values[r, c, f]`` starting at ``row0``."""
        self._ds[row0:row0 + values.shape[0]] = values.astype("<f4", copy=False)

    def close(self) -> None:
        if self._fh.id.valid:
            self._fh.close()


class WellsReader(Closable):
    """Read a 1.wells file in row bands; validates structure on open."""

    def __init__(self, path):
        h5py = _h5py()
        self.path = str(path)
        try:
            self._fh = h5py.File(self.path, "r")
        except FileNotFoundError as exc:
            raise WellsFormatError(f"1.wells file {self.path} does not exist") from exc
        except OSError as exc:
            raise WellsFormatError(
                f"1.wells file {self.path} is not a readable HDF5 file "
                f"(truncated or corrupt): {exc}") from exc
        try:
            if "wells" not in self._fh:
                raise WellsFormatError(f"1.wells file {self.path} has no 'wells' dataset")
            ds = self._fh["wells"]
            if ds.ndim != 3:
                raise WellsFormatError(
                    f"1.wells file {self.path}: 'wells' must be 3-D [rows, cols, flows], "
                    f"got shape {ds.shape}")
            self._ds = ds
            self.rows, self.cols, self.flows = (int(v) for v in ds.shape)
            self.info = self._read_info()
            self.flow_order = self._attr("FlowOrder") or self.info.get("FlowOrder", "")
            if self.flow_order and len(self.flow_order) != self.flows:
                raise WellsFormatError(
                    f"1.wells file {self.path}: flow order has {len(self.flow_order)} flows "
                    f"but the wells dataset has {self.flows}")
            self._scale = None
            if ds.dtype.kind == "u":
                lo = float(ds.attrs.get("convert_low", 0.0))
                hi = float(ds.attrs.get("convert_high", 65535.0))
                self._scale = (lo, (hi - lo) / 65535.0)
            elif ds.dtype.kind != "f":
                raise WellsFormatError(
                    f"1.wells file {self.path}: unsupported wells dtype {ds.dtype}")
        except WellsFormatError:
            self._fh.close()
            raise
        except (OSError, KeyError, RuntimeError) as exc:
            self._fh.close()
            raise WellsFormatError(f"1.wells file {self.path} is corrupt: {exc}") from exc

    def _attr(self, name):
        value = self._ds.attrs.get(name)
        if isinstance(value, bytes):
            value = value.decode("ascii", "replace")
        return value

    def _read_info(self) -> dict:
        if "info_keys" not in self._fh or "info_values" not in self._fh:
            return {}
        keys = self._fh["info_keys"].asstr()[()]
        values = self._fh["info_values"].asstr()[()]
        return dict(zip(keys, values))

    def read_rows(self, row0: int, row1: int) -> np.ndarray:
        """Signals of rows [row0, row1) as float32 [n_rows, cols, flows]."""
        try:
            data = self._ds[row0:row1]
        except (OSError, RuntimeError, ValueError) as exc:
            raise WellsFormatError(
                f"1.wells file {self.path}: cannot read rows {row0}-{row1} "
                f"(truncated or corrupt data): {exc}") from exc
        if self._scale is not None:
            lo, step = self._scale
            return (lo + data.astype(np.float32) * step).astype(np.float32)
        return np.asarray(data, dtype=np.float32)

    def close(self) -> None:
        if self._fh.id.valid:
            self._fh.close()
