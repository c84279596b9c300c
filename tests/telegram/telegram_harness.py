"""The pieces Telegram tests are written with: people who send updates, a fake request object
for the fast layer, and a running bot whose chats read like a conversation:
`await chat.send("/start")`, then `reply = await chat.reply()`.

The fixtures that build them are in telegram_fixtures.py.
"""

from __future__ import annotations

import itertools
import json
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fake_bot_api import BOT_ID, BOT_USERNAME, Call, FakeBotApi
from telegram import Update
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

from bot.config import Config, Telegram
from bot.conversation.reply import Event, EventKind, Reply
from bot.conversation.sharing import shared_answer
from bot.engine import Engine
from handlers.counters import Counters
from handlers.ptb import AnyApplication

__all__ = ["BOT_USERNAME"]

TOKEN = "987654321:AAHfakeTokenForTestsOnly_0123456789xyz"
SECRET = "webhook-secret-for-tests-0123456789"
OUTGOING = ("sendMessage", "editMessageText", "sendPhoto")

_update_ids = itertools.count(5001)
_message_ids = itertools.count(1)


# --- what the engine says ------------------------------------------------------------------


def expected(engine: Engine, kind: EventKind, text: str = "", argument: str = "") -> Reply:
    """The engine's own reply to an event: tests compare with it, so content can change."""
    return engine.handle(Event(kind, text, argument, language="en"))


def data(reply: Reply) -> list[str]:
    """The callback data of the reply's buttons, as Telegram gets them (Share is a link)."""
    return [button.data for button in reply.button_list if shared_answer(button.data) is None]


# --- building updates ----------------------------------------------------------------------


@dataclass
class Person:
    """Someone on Telegram; builds the updates their actions produce."""

    user_id: int
    first_name: str = "Sam"
    username: str | None = "sam_example"
    language: str | None = "en"

    def user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        if self.language:
            user["language_code"] = self.language
        return user

    def private_chat(self) -> dict[str, Any]:
        chat = {"id": self.user_id, "type": "private", "first_name": self.first_name}
        if self.username:
            chat["username"] = self.username
        return chat

    def message(
        self, text: str | None = None, chat: dict[str, Any] | None = None, **extra: Any
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": chat or self.private_chat(),
            "from": self.user(),
            **extra,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split(" ")[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"update_id": next(_update_ids), "message": message}

    def voice(self, chat: dict[str, Any] | None = None) -> dict[str, Any]:
        voice = {"file_id": "voice-file", "file_unique_id": "voice-unique", "duration": 4}
        return self.message(chat=chat, voice=voice)

    def callback(
        self, data: str, message_id: int, chat: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The update for pressing a button whose data is `data` (raw, for odd data too)."""
        bot = {"id": BOT_ID, "is_bot": True, "first_name": "Bot", "username": BOT_USERNAME}
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat or self.private_chat(),
            "from": bot,
            "text": "…",
        }
        return {
            "update_id": next(_update_ids),
            "callback_query": {
                "id": f"query-{next(_update_ids)}",
                "from": self.user(),
                "chat_instance": "instance-1",
                "data": data,
                "message": message,
            },
        }


def group_chat(chat_id: int = -1001234567890) -> dict[str, Any]:
    return {"id": chat_id, "type": "supergroup", "title": "Friends"}


def next_update_id() -> int:
    return next(_update_ids)


# --- fast layer: a fake request object, no sockets ---------------------------------------


class FakeRequest(BaseRequest):
    """Answers Bot API calls in memory and records them, like PTB's own tests do."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.faults: dict[str, list[tuple[int, dict[str, Any]] | Exception]] = {}
        self._ids = itertools.count(100)

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def fail(self, method: str, status: int, times: int = 1, **body: Any) -> None:
        self.faults.setdefault(method, []).extend([(status, body)] * times)

    def drop_connection(self, method: str, times: int = 1) -> None:
        self.faults.setdefault(method, []).extend([NetworkError("connection reset")] * times)

    def sent(self, *methods: str) -> list[dict[str, Any]]:
        wanted = methods or OUTGOING
        return [params for method, params in self.calls if method in wanted]

    def methods(self) -> list[str]:
        return [method for method, _ in self.calls]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append((endpoint, params))
        faults = self.faults.get(endpoint)
        if faults:
            fault = faults.pop(0)
            if isinstance(fault, Exception):
                raise fault
            status, body = fault
            payload = {"ok": False, "error_code": status, **body}
            return status, json.dumps(payload).encode()
        return 200, json.dumps({"ok": True, "result": self._result(endpoint, params)}).encode()

    def _result(self, endpoint: str, params: dict[str, Any]) -> Any:
        if endpoint == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "Bot", "username": BOT_USERNAME}
        if endpoint in OUTGOING:
            chat_id = int(params["chat_id"])
            return {
                "message_id": int(params.get("message_id") or next(self._ids)),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "text": params.get("text", ""),
            }
        return True


@dataclass
class FastBot:
    application: AnyApplication
    request: FakeRequest
    counters: Counters

    async def handle(self, raw: dict[str, Any]) -> list[dict[str, Any]]:
        """Process one update to the end; the messages sent or edited because of it."""
        before = len(self.request.calls)
        await self.application.process_update(Update.de_json(raw, self.application.bot))
        return [params for method, params in self.request.calls[before:] if method in OUTGOING]


def fast_config(**telegram: Any) -> Config:
    return Config(telegram=Telegram(**{"concurrent_updates": 1, **telegram}))


# --- end to end: the real HTTP stack against the fake server ------------------------------


@dataclass
class RunningBot:
    """The bot serving in one mode, and how an update reaches it in that mode."""

    api: FakeBotApi
    application: AnyApplication
    counters: Counters
    deliver: Callable[[dict[str, Any]], Awaitable[int]]
    stop: Callable[[], Awaitable[None]]
    webhook_url: str = ""

    def chat(self, person: Person, chat: dict[str, Any] | None = None) -> Chat:
        return Chat(self, person, chat or person.private_chat())


@dataclass
class Chat:
    """One person in one chat: send, press, and read the bot's replies in order."""

    bot: RunningBot
    person: Person
    chat: dict[str, Any]
    seen: int = 0
    last_message_id: int = 0
    statuses: list[int] = field(default_factory=list)

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    async def send(self, text: str) -> None:
        await self._deliver(self.person.message(text, chat=self.chat))

    async def send_voice(self) -> None:
        await self._deliver(self.person.voice(chat=self.chat))

    async def send_location(self, latitude: float, longitude: float) -> None:
        place = {"latitude": latitude, "longitude": longitude}
        await self._deliver(self.person.message(chat=self.chat, location=place))

    async def press_data(self, data: str, message_id: int | None = None) -> None:
        target = message_id or self.last_message_id
        await self._deliver(self.person.callback(data, target, chat=self.chat))

    async def _deliver(self, update: dict[str, Any]) -> None:
        self.statuses.append(await self.bot.deliver(update))

    def outgoing(self) -> list[Call]:
        return [c for c in self.bot.api.answered(chat_id=self.chat_id) if c.method in OUTGOING]

    async def reply(self, timeout: float = 10.0) -> Call:
        """The bot's next message (or edit) in this chat."""
        await self.bot.api.until(lambda: len(self.outgoing()) > self.seen, timeout)
        call = self.outgoing()[self.seen]
        self.seen += 1
        if isinstance(call.result, dict):
            self.last_message_id = int(call.result["message_id"])
        return call


def bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock
