"""A fake Telegram Bot API server on 127.0.0.1, for end-to-end tests and the benchmark.

It speaks enough of the Bot API for python-telegram-bot's real HTTP stack: getMe, getUpdates
(long polling over a queue the test fills), setMyCommands, sendMessage, editMessageText,
answerCallbackQuery, setWebhook, deleteWebhook. Every call is recorded with its decoded
parameters, and it can be told to fail the next calls of a method with 429 (retry_after) or
500, to show the bot waits out and retries Telegram's faults, or to be out of service for a
while (`outage`: 5xx answers, or 200 answers that are not JSON, for every call or one chat's).
For sharing and feedback it also answers answerInlineQuery and editMessageReplyMarkup.

In tests it runs in a thread (`FakeBotApi(...).start()`); the benchmark runs it as a process:
    python tests/telegram/fake_bot_api.py --port 8081 --token 123:ABC…
and reads the recorded calls from GET /_fake/calls?method=sendMessage; POST /_fake/updates with
a JSON list queues updates for getUpdates, as `push_update` does in a test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email.parser
import email.policy
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

BOT_ID = 7_000_000_001
BOT_USERNAME = "hr_test_bot"
# Parameters whose value is text even when it happens to look like JSON ("123", "true").
TEXT_PARAMETERS = {"text", "url", "secret_token", "callback_query_id", "language_code", "caption"}
# How long one getUpdates may hold the connection at most, whatever timeout the bot asks for.
MAX_LONG_POLL = 5.0


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int = 200
    result: Any = None

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]

    @property
    def button_data(self) -> list[str]:
        return [str(b["callback_data"]) for b in self.buttons if "callback_data" in b]

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "params": self.params, "status": self.status}


@dataclass
class _Fault:
    status: int
    retry_after: int | None


@dataclass
class _Outage:
    until: float  # time.monotonic()
    status: int
    garbage: bool
    methods: frozenset[str] | None
    chat_id: int | None

    def covers(self, method: str, params: dict[str, Any]) -> bool:
        if time.monotonic() >= self.until:
            return False
        if self.methods is not None and method not in self.methods:
            return False
        return self.chat_id is None or str(params.get("chat_id")) == str(self.chat_id)


# Recorded as the status of a call answered with a body that is not JSON.
GARBAGE = 0
GARBAGE_BODY = b"<html><body>502 Bad Gateway</body></html>"


@dataclass
class _State:
    updates: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    faults: dict[str, list[_Fault]] = field(default_factory=dict)
    webhook_url: str = ""
    webhook_secret: str = ""
    outages: list[_Outage] = field(default_factory=list)


class FakeBotApi:
    """The server, its recorded calls, and the knobs a test turns."""

    def __init__(self, token: str, host: str = "127.0.0.1", port: int = 0) -> None:
        self.token = token
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self._socket.listen(512)  # clients can connect from here on, before serving starts
        self.port: int = self._socket.getsockname()[1]
        self._state = _State()
        self._changed = threading.Condition()
        self._message_ids = itertools.count(1000)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.server = uvicorn.Server(
            uvicorn.Config(
                self.app(),
                log_config=None,
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=2,
            )
        )

    # --- for tests -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> FakeBotApi:
        self._thread = threading.Thread(target=self.serve_forever, name="fake-bot-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping = True
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def serve_forever(self) -> None:
        asyncio.run(self._serve())

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates (polling mode)."""
        with self._changed:
            self._state.updates.append(update)
        self._wake_pollers()

    def fail(self, method: str, times: int = 1, status: int = 500, retry_after: int = 1) -> None:
        """Answer the next `times` calls of `method` with `status` (429 carries retry_after)."""
        fault = _Fault(status, retry_after if status == 429 else None)
        with self._changed:
            self._state.faults.setdefault(method, []).extend([fault] * times)

    def outage(
        self,
        seconds: float,
        status: int = 503,
        garbage: bool = False,
        methods: tuple[str, ...] | None = None,
        chat_id: int | None = None,
    ) -> None:
        """For the next `seconds`, answer calls (of `methods`, for `chat_id`: default all) with
        `status`, or with `garbage`: a 200 whose body is an HTML page, as a broken proxy in
        front of Telegram would send. Either way the call is not acted on (nothing is sent)."""
        outage = _Outage(
            time.monotonic() + seconds,
            status,
            garbage,
            frozenset(methods) if methods is not None else None,
            chat_id,
        )
        with self._changed:
            self._state.outages.append(outage)

    def calls(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        with self._changed:
            calls = list(self._state.calls)
        return [
            call
            for call in calls
            if (method is None or call.method == method)
            and (chat_id is None or call.chat_id == chat_id)
        ]

    def answered(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        """The calls that succeeded."""
        return [call for call in self.calls(method, chat_id) if call.status == 200]

    @property
    def webhook(self) -> tuple[str, str]:
        with self._changed:
            return self._state.webhook_url, self._state.webhook_secret

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Block until `predicate()` holds (checked whenever a call is recorded)."""
        with self._changed:
            return self._changed.wait_for(predicate, timeout)

    async def until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """`wait_for` for async tests: the event loop keeps running the bot meanwhile."""
        if not await asyncio.to_thread(self.wait_for, predicate, timeout):
            raise AssertionError(f"not reached within {timeout}s; calls: {self.summary()}")

    def summary(self) -> list[str]:
        return [f"{call.method}:{call.status}:{call.chat_id}" for call in self.calls()]

    # --- the server ------------------------------------------------------------------------

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        await self.server.serve(sockets=[self._socket])

    def _wake_pollers(self) -> None:
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/bot{token}/{method}", self._api, methods=["GET", "POST"]),
                Route("/_fake/calls", self._recorded, methods=["GET"]),
                Route("/_fake/count", self._count, methods=["GET"]),
                Route("/_fake/updates", self._push, methods=["POST"]),
            ]
        )

    async def _api(self, request: Request) -> Response:
        method = request.path_params["method"]
        params = _decode(await request.body(), request.headers.get("content-type", ""))
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        with self._changed:
            outage = next((o for o in self._state.outages if o.covers(method, params)), None)
            faults = self._state.faults.get(method)
            fault = faults.pop(0) if faults and outage is None else None
        if outage is not None:
            self._record(Call(method, params, GARBAGE if outage.garbage else outage.status))
            if outage.garbage:
                return Response(GARBAGE_BODY, media_type="text/html")
            return _error(outage.status, "Service Unavailable")
        if fault is not None:
            self._record(Call(method, params, fault.status))
            if fault.status == 429:
                return _error(429, "Too Many Requests", {"retry_after": fault.retry_after})
            return _error(fault.status, "Internal Server Error")
        if method == "getUpdates":
            # Recorded on arrival, so a test can tell that polling has started.
            self._record(Call(method, params))
            return JSONResponse({"ok": True, "result": await self._get_updates(params)})
        handler = self._methods().get(method)
        if handler is None:
            return _error(404, "Not Found: method not found")
        result = handler(params)
        self._record(Call(method, params, 200, result))
        return JSONResponse({"ok": True, "result": result})

    def _record(self, call: Call) -> None:
        with self._changed:
            self._state.calls.append(call)
            self._changed.notify_all()

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {
            "getMe": lambda _: _bot_user(),
            "setMyCommands": lambda _: True,
            "deleteMyCommands": lambda _: True,
            "sendMessage": self._message,
            "editMessageText": self._message,
            "answerCallbackQuery": lambda _: True,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": lambda _: {"url": self.webhook[0], "pending_update_count": 0},
            **self._chat_tool_methods(),
            "answerInlineQuery": lambda _: True,
            "editMessageReplyMarkup": self._edited_markup,
        }

    def _chat_tool_methods(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        """/forget and /card: deleting, pinning, and sending an image (as multipart)."""
        return {
            "sendPhoto": self._photo,
            "deleteMessages": lambda _: True,
            "deleteMessage": lambda _: True,
            "pinChatMessage": lambda _: True,
        }

    def _photo(self, params: dict[str, Any]) -> dict[str, Any]:
        """A sent photo: one size, whatever was uploaded (its bytes are in `params`)."""
        message = self._message({**params, "text": ""})
        del message["text"]
        size = {"file_id": "card-photo", "file_unique_id": "card", "width": 1080, "height": 1920}
        message["photo"] = [size]
        if params.get("caption"):
            message["caption"] = params["caption"]
        return message

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        assert self._wake is not None
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(float(params.get("timeout") or 0), MAX_LONG_POLL)
        while True:
            self._wake.clear()
            with self._changed:
                self._state.updates = [u for u in self._state.updates if u["update_id"] >= offset]
                ready = self._state.updates[:limit]
            left = deadline - loop.time()
            if ready or self._stopping or left <= 0:
                return ready
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), left)

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message_id = int(params.get("message_id") or next(self._message_ids))
        chat: dict[str, Any] = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        if chat_id < 0:
            chat["title"] = "A group"
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": _bot_user(),
            "text": params.get("text", ""),
        }
        markup = params.get("reply_markup")
        # Like Telegram: a sent message carries its inline keyboard back, never a reply keyboard
        # (such as the one-time "send my location" button).
        if markup and "keyboard" not in markup:
            message["reply_markup"] = markup
        return message

    def _edited_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        """editMessageReplyMarkup: the message with its new keyboard (none when left out)."""
        message = self._message({**params, "reply_markup": params.get("reply_markup") or None})
        message.pop("text")
        return message

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        with self._changed:
            self._state.webhook_url = str(params.get("url", ""))
            self._state.webhook_secret = str(params.get("secret_token", ""))
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        with self._changed:
            self._state.webhook_url = self._state.webhook_secret = ""
        return True

    async def _recorded(self, request: Request) -> Response:
        method = request.query_params.get("method")
        return JSONResponse([call.to_json() for call in self.calls(method)])

    async def _push(self, request: Request) -> Response:
        updates = json.loads(await request.body())
        with self._changed:
            self._state.updates.extend(updates)
        self._wake_pollers()
        return JSONResponse({"queued": len(updates)})

    async def _count(self, request: Request) -> Response:
        method = request.query_params.get("method")
        return JSONResponse({"count": len(self.answered(method))})


def _bot_user() -> dict[str, Any]:
    return {
        "id": BOT_ID,
        "is_bot": True,
        "first_name": "Harm reduction test bot",
        "username": BOT_USERNAME,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


def _decode(body: bytes, content_type: str) -> dict[str, Any]:
    """PTB posts form fields whose non-text values are JSON; JSON bodies are accepted too."""
    if not body:
        return {}
    if content_type.startswith("application/json"):
        data = json.loads(body)
        return data if isinstance(data, dict) else {}
    if content_type.startswith("multipart/form-data"):
        return _decode_multipart(body, content_type)
    params: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode(), keep_blank_values=True):
        if key in TEXT_PARAMETERS:
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


def _decode_multipart(body: bytes, content_type: str) -> dict[str, Any]:
    """An upload (sendPhoto): form fields as in `_decode`, files as their bytes."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(payload, bytes):
            continue
        if part.get_filename() is not None:
            params[name] = payload
            continue
        value = payload.decode()
        try:
            params[name] = value if name in TEXT_PARAMETERS else json.loads(value)
        except ValueError:
            params[name] = value
    return params


def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=code)


def main() -> None:
    parser = argparse.ArgumentParser(description="a fake Telegram Bot API server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    FakeBotApi(args.token, port=args.port).serve_forever()


if __name__ == "__main__":
    main()
