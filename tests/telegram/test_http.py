"""The aiohttp request object (handlers/http.py) does what python-telegram-bot's own does.

Against a tiny HTTP server on 127.0.0.1 that records the raw request: a call's parameters arrive
form-encoded, uploads arrive as multipart, any status comes back with its body, a server that
never answers is a `TimedOut` after the read timeout, a closed port a `NetworkError`; and no
error carries the URL (which holds the token).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import pytest
from telegram import Bot, InputFile
from telegram.error import NetworkError, TimedOut
from telegram_harness import TOKEN

from handlers.http import AiohttpRequest

OK = json.dumps({"ok": True, "result": True}).encode()


class Recorder:
    """Answers each request with `status` and `body` (or never, when `silent`)."""

    def __init__(self, status: int = 200, body: bytes = OK, silent: bool = False) -> None:
        self.status, self.body, self.silent = status, body, silent
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                headers = {
                    k.lower(): v for k, v in (line.split(": ", 1) for line in head[1:] if line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.requests.append((head[0], headers, body))
                if self.silent:
                    await reader.read()  # until the client gives up
                    return
                writer.write(
                    f"HTTP/1.1 {self.status} X\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(self.body)}\r\n\r\n".encode()
                    + self.body
                )
                await writer.drain()
        writer.close()


@contextlib.asynccontextmanager
async def serving(recorder: Recorder) -> AsyncIterator[str]:
    server = await asyncio.start_server(recorder.handle, "127.0.0.1", 0)
    recorder.port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{recorder.port}/bot"
    finally:
        server.close()


async def test_parameters_arrive_form_encoded_and_the_connection_is_reused() -> None:
    recorder = Recorder()
    async with serving(recorder) as base_url:
        request = AiohttpRequest()
        await request.initialize()
        try:
            bot = Bot(TOKEN, base_url=base_url, request=request)
            for _ in range(3):
                await bot.send_message(42, "<b>naloxone</b> & ünïcode", parse_mode="HTML")
        finally:
            await request.shutdown()
    line, headers, body = recorder.requests[0]
    assert line == f"POST /bot{TOKEN}/sendMessage HTTP/1.1"
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    assert "python-telegram-bot" in headers["user-agent"]
    form = {key: values[0] for key, values in parse_qs(body.decode()).items()}
    assert form == {"chat_id": "42", "text": "<b>naloxone</b> & ünïcode", "parse_mode": "HTML"}
    assert len(recorder.requests) == 3


async def test_an_upload_arrives_as_multipart() -> None:
    recorder = Recorder()
    async with serving(recorder) as base_url:
        request = AiohttpRequest()
        await request.initialize()
        try:
            bot = Bot(TOKEN, base_url=base_url, request=request)
            await bot.send_document(42, InputFile(b"leaflet bytes", filename="leaflet.txt"))
        finally:
            await request.shutdown()
    _, headers, body = recorder.requests[0]
    assert headers["content-type"].startswith("multipart/form-data")
    assert b'filename="leaflet.txt"' in body and b"leaflet bytes" in body
    assert b'name="chat_id"' in body


async def test_any_status_comes_back_with_its_body() -> None:
    body = json.dumps({"ok": False, "error_code": 502, "description": "Bad Gateway"}).encode()
    recorder = Recorder(status=502, body=body)
    async with serving(recorder) as base_url:
        request = AiohttpRequest()
        await request.initialize()
        try:
            got = await request.do_request(f"{base_url}{TOKEN}/getMe", "POST")
        finally:
            await request.shutdown()
    assert got == (502, body)


async def test_a_server_that_never_answers_is_a_timeout_without_the_url() -> None:
    recorder = Recorder(silent=True)
    async with serving(recorder) as base_url:
        request = AiohttpRequest(read_timeout=0.2)
        await request.initialize()
        try:
            with pytest.raises(TimedOut) as caught:
                await request.do_request(f"{base_url}{TOKEN}/sendMessage", "POST")
        finally:
            await request.shutdown()
    assert TOKEN not in str(caught.value) and "127.0.0.1" not in str(caught.value)


async def test_a_closed_port_is_a_network_error_without_the_url() -> None:
    recorder = Recorder()
    async with serving(recorder) as base_url:
        pass  # the server is closed again: nothing listens on the port
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await request.do_request(f"{base_url}{TOKEN}/getMe", "POST")
    finally:
        await request.shutdown()
    assert not isinstance(caught.value, TimedOut)
    assert TOKEN not in str(caught.value) and str(recorder.port) not in str(caught.value)


async def test_calling_before_initialize_or_after_shutdown_is_refused() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1:1/bot/getMe", "POST")
    await request.initialize()
    await request.shutdown()
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1:1/bot/getMe", "POST")
