"""bench/httpclient.py, the load benchmark's client, reads what a server may send: a
Content-Length body, a chunked body, a body up to the connection's end, and a kept-alive
connection the server closed meanwhile (the request is sent again on a new one)."""
import asyncio
import socket
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from httpclient import Connection, ServerClosed  # noqa: E402

RESPONSES = {
    b"/length": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    b"/chunked": b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n",
    b"/eof": b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nto the end",
    b"/empty": b"HTTP/1.1 204 No Content\r\n\r\n",
}


@pytest.fixture
def server():
    """A raw HTTP server: answers per RESPONSES; `/close-after` answers, then closes the
    connection without saying so (as a recycled gunicorn worker does)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    accepted = []

    def serve(conn):
        with conn:
            buffer = b""
            while True:
                while b"\r\n\r\n" not in buffer:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buffer += data
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                length = next((int(line.split(b":")[1]) for line in lines if line.lower().startswith(b"content-length")), 0)
                while len(buffer) < length:
                    buffer += conn.recv(65536)
                body, buffer = buffer[:length], buffer[length:]
                path = lines[0].split()[1]
                if path == b"/close-after":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    return
                if path == b"/echo":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                    continue
                conn.sendall(RESPONSES[path])
                if path == b"/eof":
                    return

    def accept():
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            accepted.append(conn)
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield sock.getsockname()[1], accepted
    sock.close()


def run(coro):
    return asyncio.run(coro)


def test_bodies_of_each_framing(server):
    port, accepted = server

    async def go():
        conn = Connection("127.0.0.1", port)
        out = [await conn.request("GET", p) for p in ("/length", "/chunked", "/empty", "/eof", "/length")]
        out.append(await conn.request("POST", "/echo", json={"a": [1, 2]}))
        await conn.close()
        return out

    length, chunked, empty, eof, again, echo = run(go())
    assert (length.status_code, length.content) == (200, b"hello")
    assert (chunked.status_code, chunked.content) == (201, b"abcdefg")
    assert (empty.status_code, empty.content) == (204, b"")
    assert eof.text == "to the end"
    assert again.content == b"hello"  # on a new connection after the server's close
    assert echo.json() == {"a": [1, 2]}
    assert len(accepted) == 2  # one keep-alive connection, one after the close


def test_request_on_a_connection_the_server_closed_is_sent_again(server):
    port, accepted = server

    async def go():
        conn = Connection("127.0.0.1", port)
        first = await conn.request("GET", "/close-after")
        await asyncio.sleep(0.1)  # the server has closed; the client does not know yet
        second = await conn.request("GET", "/length")
        await conn.close()
        return first, second

    first, second = run(go())
    assert first.content == b"ok" and second.content == b"hello"
    assert len(accepted) == 2


def test_a_fresh_connection_closed_without_an_answer_is_an_error(server):
    port, _ = server

    async def go():
        conn = Connection("127.0.0.1", port)
        try:
            await conn.request("GET", "/close-after")
            await asyncio.sleep(0.1)
            conn.reused = False  # as if this were the connection's first request
            await conn.request("GET", "/length")
        finally:
            await conn.close()

    with pytest.raises(ConnectionError) as info:
        run(go())
    assert not isinstance(info.value, ServerClosed)  # not sent again: nothing says it was not received
