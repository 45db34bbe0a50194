"""BGZF: the blocked gzip container of BAM (block codec and writer).

Each block holds at most ``MAX_BLOCK_DATA`` bytes of input, compressed independently
with raw deflate and wrapped in a gzip member whose ``BC`` extra field gives the
compressed block size. Deflate uses ISA-L at levels 1-3 (~4x faster than zlib on BAM
data), libdeflate otherwise, zlib when neither package is installed. These release the
GIL, so blocks are compressed on a small process-wide thread pool (bounded however many
files are open at once) while the caller builds the next records.
"""
from __future__ import annotations

import struct
import threading
import zlib
from collections import deque
from concurrent.futures import ThreadPoolExecutor

try:  # libdeflate: fastest inflate, CRC32 and stored blocks; optional
    import deflate as _libdeflate
except ImportError:  # pragma: no cover - exercised only without the package
    _libdeflate = None
try:  # ISA-L: fastest deflate at levels 1-3; optional
    from isal import isal_zlib as _isal
except ImportError:  # pragma: no cover
    _isal = None

EOF_BLOCK = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
# Input per block, as htslib: below 64 KiB so that even incompressible data (deflate
# adds a few bytes) keeps the whole block within the 16-bit BSIZE field.
MAX_BLOCK_DATA = 0xFF00
_HEADER = struct.Struct("<4BI2BH2BHH")
_TRAILER = struct.Struct("<II")

BGZF_THREADS = 2
_POOL = None
_POOL_LOCK = threading.Lock()
# Compression batches queued or running, over all writers of the process. A stage writing
# many files (one per barcode) would otherwise queue two batches per file whenever the
# threads fall behind, and its peak memory would creep up with the length of the run.
MAX_IN_FLIGHT = 8
_IN_FLIGHT = deque()


def pool() -> ThreadPoolExecutor:
    """The shared (de)compression thread pool."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=BGZF_THREADS, thread_name_prefix="bgzf")
        return _POOL


def inflate(cdata, isize: int) -> bytes:
    if _libdeflate is not None:
        return _libdeflate.deflate_decompress(cdata, isize)
    return zlib.decompress(cdata, -15)


def crc32(data) -> int:
    if _libdeflate is not None:
        return _libdeflate.crc32(data)
    return zlib.crc32(data)


def _deflate_raw(data, level: int) -> bytes:
    if level == 0 and _libdeflate is not None:  # stored blocks, ~1 GB/s
        return _libdeflate.deflate_compress(data, 0)
    if _isal is not None and 1 <= level <= 3:
        return _isal.compress(data, level, wbits=-15)
    if _libdeflate is not None:
        return _libdeflate.deflate_compress(data, level)
    co = zlib.compressobj(level, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush()


def compress_block(data, level: int) -> bytes:
    """One complete BGZF block holding ``data`` (at most ``MAX_BLOCK_DATA`` bytes)."""
    if len(data) > MAX_BLOCK_DATA:
        raise ValueError(f"BGZF block input of {len(data)} bytes exceeds {MAX_BLOCK_DATA}")
    body = _deflate_raw(data, level)
    bsize = _HEADER.size + len(body) + _TRAILER.size
    header = _HEADER.pack(0x1F, 0x8B, 8, 4, 0, 0, 0xFF, 6, ord("B"), ord("C"), 2, bsize - 1)
    return header + body + _TRAILER.pack(crc32(data) & 0xFFFFFFFF, len(data))


def _compress_blocks(data, level: int, end: int | None = None) -> bytes:
    mv = memoryview(data)[:end]
    return b"".join(compress_block(mv[i:i + MAX_BLOCK_DATA], level)
                    for i in range(0, len(mv), MAX_BLOCK_DATA))


class Closable:
    """``with`` support for objects that have a ``close`` method."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class BgzfWriter(Closable):
    """Binary file object writing BGZF; ``write`` takes bytes-like objects of any size.

    Full blocks are compressed in batches on the shared pool; the pool thread that
    compressed a batch also writes it, in order (``_turn``, ``_ready``). Writing there matters for
    memory: the compressed bytes are freed by the thread that allocated them, at once,
    instead of waiting in another thread's queue, so the heap does not fragment as a
    long run goes on. ``level`` 1 favours speed, 0 stores.
    """

    PER_WRITER = 2  # batches in flight per writer (see also MAX_IN_FLIGHT)

    def __init__(self, path, *, level: int = 1):
        self.path = str(path)
        self.level = level
        self._fh = open(self.path, "wb")
        self._pending = []  # bytes-like pieces not yet compressed (kept by reference)
        self._size = 0
        self._ahead = deque()
        self._turn = threading.Lock()
        self._ready = {}  # batch number -> (compressed bytes, exception)
        self._submitted = self._written = 0
        self._error = None
        self._reported = False

    def write(self, data) -> None:
        # Each byte is copied once before it is compressed: small pieces when they are kept,
        # the rest when the pieces are joined (4 blocks' worth or more, compressed at once).
        if not len(data):
            return
        self._size += len(data)
        if self._size < MAX_BLOCK_DATA * 4:
            # kept: a copy, so no view pins a caller's (bigger, or reusable) buffer
            self._pending.append(bytes(data))
            return
        if not isinstance(data, bytes) and not (isinstance(data, memoryview) and data.readonly):
            data = bytes(data)  # a buffer the caller could change while it is compressed
        self._pending.append(data)
        self._flush(final=False)

    def _flush(self, final: bool) -> None:
        if self._size:
            joined = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
            end = self._size if final else (self._size // MAX_BLOCK_DATA) * MAX_BLOCK_DATA
            rest = memoryview(joined)[end:]
            self._pending = [bytes(rest)] if len(rest) else []
            self._size = len(rest)
            self._submit(joined, end)
        while self._ahead and (final or len(self._ahead) > self.PER_WRITER or self._ahead[0].done()):
            self._ahead.popleft().result()
        if self._error is not None and not self._reported:
            self._reported = True  # raised once; close() after it just closes
            raise self._error

    def _submit(self, data, end) -> None:
        seq = self._submitted
        self._submitted += 1
        fut = pool().submit(self._compress_and_write, seq, data, end)
        self._ahead.append(fut)
        wait = []
        with _POOL_LOCK:
            _IN_FLIGHT.append(fut)
            while _IN_FLIGHT and (_IN_FLIGHT[0].done() or len(_IN_FLIGHT) > MAX_IN_FLIGHT):
                wait.append(_IN_FLIGHT.popleft())
        for w in wait:
            w.exception()  # waits; a failure is reported through its writer's _error

    def _compress_and_write(self, seq, data, end) -> None:
        out = err = None
        try:
            out = _compress_blocks(data, self.level, end)
        except BaseException as exc:  # reported in order, by the writer
            err = exc
        data = None
        with self._turn:
            self._ready[seq] = (out, err)
            # the thread finishing the batch that is due writes it and every later one
            # already done; a batch finished early waits in _ready, no thread blocks
            while self._written in self._ready:
                out, err = self._ready.pop(self._written)
                try:
                    if err is None and self._error is None:
                        self._fh.write(out)
                except BaseException as exc:
                    err = exc
                if err is not None and self._error is None:
                    self._error = err
                self._written += 1

    def close(self) -> None:
        if self._fh.closed:
            return
        try:
            self._flush(final=True)
            if self._error is None:
                self._fh.write(EOF_BLOCK)
        finally:
            while self._ahead:  # after an error: let queued batches finish before closing
                self._ahead.popleft().exception()
            self._fh.close()
