"""Pending updates are bounded: when `max_pending_updates` are queued or being handled, the next
one waits (polling fetches no more; a webhook POST gets 503 after `queue_wait_seconds`), and
every update that got in is still answered."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from telegram import Update
from telegram.request import RequestData
from telegram_harness import TOKEN, FakeRequest, Person, fast_config

from bot.engine import Engine
from handlers.app import build_application
from handlers.counters import Counters
from handlers.ptb import BoundedUpdateQueue
from handlers.webhook import SECRET_HEADER, webhook_app
from handlers.words import Words

pytest_plugins = ["telegram_fixtures"]

LIMIT = 4


class GatedRequest(FakeRequest):
    """Holds every sendMessage until `gate` is set, so updates stay "being handled"."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.waiting = 0

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any, **kw: Any
    ) -> tuple[int, bytes]:
        if url.endswith("/sendMessage"):
            self.waiting += 1
            await self.gate.wait()
        return await super().do_request(url, method, request_data, *args, **kw)


async def until(condition: Any, rounds: int = 10_000) -> None:
    """Let the loop run until `condition()` holds (a bounded number of turns, no clock)."""
    for _ in range(rounds):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


async def test_queue_waits_for_a_place_and_frees_one_per_update() -> None:
    queue = BoundedUpdateQueue(2)
    await queue.put("a")
    await queue.put("b")
    third = asyncio.ensure_future(queue.put("c"))
    await until(lambda: queue.pending == 2 and not third.done())
    assert queue.qsize() == 2 and not third.done()
    assert await queue.get() == "a"
    assert not third.done()  # taken off, but still being handled
    queue.task_done()
    await asyncio.wait_for(third, 5)
    assert queue.qsize() == 2 and queue.pending == 2
    fourth = asyncio.ensure_future(queue.put("d"))
    await asyncio.sleep(0)
    fourth.cancel()  # a cancelled wait takes no place
    await asyncio.gather(fourth, return_exceptions=True)
    assert queue.qsize() == 2 and queue.pending == 2


async def test_a_burst_waits_and_is_all_answered(
    bundled_engine: Engine, bot_words: dict[str, Words]
) -> None:
    request = GatedRequest()
    config = fast_config(concurrent_updates=2, max_pending_updates=LIMIT, messages_per_second=0)
    application = build_application(
        config, bundled_engine, TOKEN, Counters(), bot_words, request, FakeRequest()
    )
    queue = application.update_queue
    assert isinstance(queue, BoundedUpdateQueue) and queue.limit == LIMIT
    people = [Person(8_000_000 + n) for n in range(LIMIT + 3)]
    await application.initialize()
    await application.start()
    try:

        def update(person: Person) -> Update:
            return Update.de_json(person.message("hi"), application.bot)

        for person in people[:LIMIT]:
            await asyncio.wait_for(queue.put(update(person)), 5)
        late = [asyncio.ensure_future(queue.put(update(p))) for p in people[LIMIT:]]
        await until(lambda: request.waiting == 2)  # two being handled, two queued behind them
        assert not any(put.done() for put in late)
        assert queue.pending == LIMIT
        request.gate.set()
        await asyncio.wait_for(asyncio.gather(*late), 5)
        await until(lambda: len(request.sent()) == len(people))
        assert {int(sent["chat_id"]) for sent in request.sent()} == {p.user_id for p in people}
    finally:
        request.gate.set()
        await application.stop()
        await application.shutdown()
    assert queue.pending == 0


async def test_webhook_answers_503_while_the_queue_is_full() -> None:
    class Application:
        running = True
        bot = None
        update_queue = BoundedUpdateQueue(1)

    application = Application()
    counters = Counters()
    secret = "s" * 32
    app = webhook_app(application, "/telegram", secret, counters, queue_wait=0.05)  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=app)
    body = json.dumps(Person(8_100_001).message("hi"))
    headers = {SECRET_HEADER: secret, "content-type": "application/json"}
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        first = await client.post("/telegram", content=body, headers=headers)
        second = await client.post("/telegram", content=body, headers=headers)
        application.update_queue.get_nowait()
        application.update_queue.task_done()
        third = await client.post("/telegram", content=body, headers=headers)
    assert (first.status_code, second.status_code, third.status_code) == (200, 503, 200)
    assert second.headers["retry-after"] == "1"
    assert counters["updates_deferred"] == 1
