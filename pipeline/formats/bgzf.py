"""BGZF writer: the blocked gzip container used by BAM.

Each block holds at most 64 KiB of input, compressed independently with raw deflate and
wrapped in a gzip member carrying the ``BC`` extra field (the compressed block size).
zlib releases the GIL while compressing, so blocks are compressed on a small thread pool;
they are written in order.
"""
from __future__ import annotations

import struct
import zlib
from concurrent.futures import ThreadPoolExecutor

# Input per block: kept below 64 KiB so that even incompressible data fits a block.
BLOCK_INPUT = 0xFF00
EOF_BLOCK = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
_HEADER = struct.Struct("<4BI2BH2BHH")


def compress_block(data: bytes, level: int) -> bytes:
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    body = comp.compress(data) + comp.flush()
    bsize = len(body) + 25  # header 18 + trailer 8, minus 1
    header = _HEADER.pack(0x1F, 0x8B, 8, 4, 0, 0, 0xFF, 6, ord("B"), ord("C"), 2, bsize)
    return header + body + struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data))


class BgzfWriter:
    """Binary file object writing BGZF; ``write`` accepts bytes-like objects of any size."""

    def __init__(self, path, level: int = 1, threads: int = 2):
        self._fh = open(path, "wb")
        self._level = level
        self._pending = bytearray()
        self._pool = ThreadPoolExecutor(max_workers=threads) if threads > 1 else None

    def write(self, data) -> None:
        self._pending += data
        if len(self._pending) >= BLOCK_INPUT * 8:
            self._flush(final=False)

    def _flush(self, final: bool) -> None:
        buf = self._pending
        n_full = len(buf) // BLOCK_INPUT
        end = len(buf) if final else n_full * BLOCK_INPUT
        chunks = [bytes(buf[i:i + BLOCK_INPUT]) for i in range(0, end, BLOCK_INPUT)]
        if self._pool is not None and len(chunks) > 1:
            blocks = self._pool.map(compress_block, chunks, [self._level] * len(chunks))
        else:
            blocks = (compress_block(c, self._level) for c in chunks)
        for block in blocks:
            self._fh.write(block)
        del buf[:end]

    def close(self) -> None:
        if self._fh.closed:
            return
        try:
            self._flush(final=True)
            self._fh.write(EOF_BLOCK)
        finally:
            self._fh.close()
            if self._pool is not None:
                self._pool.shutdown()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
