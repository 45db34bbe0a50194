"""A lean HTTP/1.1 keep-alive client on asyncio streams, for the load benchmarks.

Why not httpx: bench/load.py runs its clients on the same two cores as the server it measures,
and httpx spent about 6 ms of CPU per request here (its whole core at ~160 requests/s), so the
client, not the server, set the figures. This one spends a fraction of that: it does only what
the benchmark's requests need (JSON bodies, Content-Length or chunked responses, one connection
per client).
"""
from __future__ import annotations

import asyncio
import json as jsonlib


class Response:
    __slots__ = ("status_code", "headers", "content")

    def __init__(self, status_code, headers, content):
        self.status_code = status_code
        self.headers = headers
        self.content = content

    @property
    def text(self):
        return self.content.decode("utf-8", "replace")

    def json(self):
        return jsonlib.loads(self.content)


class ServerClosed(ConnectionError):
    """The server closed a kept-alive connection before answering (it may be recycling a worker)."""


class Connection:
    """One persistent connection to host:port, used by one coroutine at a time."""

    def __init__(self, host, port, headers=None, timeout=60.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.default_headers = {"Host": f"{host}:{port}", "Accept": "application/json", **(headers or {})}
        self.reader = self.writer = None
        self.reused = False

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    async def request(self, method, path, json=None):
        """The response; a request on a reused connection that the server had already closed is
        sent once more on a new one (nothing was read, so nothing was answered)."""
        try:
            return await asyncio.wait_for(self._exchange(method, path, json), self.timeout)
        except ServerClosed:
            await self.close()
            return await asyncio.wait_for(self._exchange(method, path, json), self.timeout)

    async def _exchange(self, method, path, json):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            self.reused = False
        body = b"" if json is None else jsonlib.dumps(json).encode()
        head = [f"{method} {path} HTTP/1.1"] + [f"{k}: {v}" for k, v in self.default_headers.items()]
        if json is not None:
            head.append("Content-Type: application/json")
        if body or method in ("POST", "PUT", "PATCH"):
            head.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        reused, self.reused = self.reused, True
        try:
            await self.writer.drain()
            status_line = await self.reader.readline()
        except (ConnectionResetError, BrokenPipeError):
            status_line = b""
        if not status_line:
            await self.close()
            if reused:
                raise ServerClosed(f"{method} {path}")
            raise ConnectionError(f"{method} {path}: connection closed without a response")
        response = await self._read_response(status_line)
        if response.headers.get("connection", "").lower() == "close":
            await self.close()
        return response

    async def _read_response(self, status_line):
        parts = status_line.decode("latin-1").split(" ", 2)
        status = int(parts[1])
        headers = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()  # the blank line after the last chunk (no trailers)
                    break
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            content = b"".join(chunks)
        elif "content-length" in headers:
            content = await self.reader.readexactly(int(headers["content-length"]))
        elif status in (204, 304) or 100 <= status < 200:
            content = b""
        else:  # no length: the body runs to the end of the connection
            content = await self.reader.read()
            await self.close()
        return Response(status, headers, content)


def main(argv=None):
    """GET one URL through this client and print the status and body size (a quick check)."""
    import argparse
    from urllib.parse import urlsplit

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="http://host:port/path")
    parser.add_argument("--header", action="append", default=[], help="'Name: value', repeatable")
    args = parser.parse_args(argv)
    parts = urlsplit(args.url)
    if parts.scheme != "http" or not parts.hostname:
        parser.error("only http://host[:port]/path URLs")
    headers = dict(h.split(":", 1) for h in args.header)

    async def get():
        conn = Connection(parts.hostname, parts.port or 80, {k.strip(): v.strip() for k, v in headers.items()})
        try:
            return await conn.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
        finally:
            await conn.close()

    response = asyncio.run(get())
    print(f"HTTP {response.status_code}, {len(response.content)} bytes")
    return 0 if response.status_code < 400 else 1


if __name__ == "__main__":
    raise SystemExit(main())
