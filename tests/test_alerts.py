"""Drug-supply alerts: listed while live, bannered on the greeting and the answers about their
substances, gone by themselves when they expire (a frozen clock decides), checked by line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from alerts_data import FRIDAY_NOON, alert_text, content_with, engine_at
from conftest import Bot, line_of

from bot.config import BUNDLED_CONTENT, Config
from bot.conversation.reply import Event, EventKind
from bot.library import load_library
from bot.tools.checker import check

NEWER = alert_text(
    title="Fake oxy pills",
    severity="warning",
    substances=["fentanyl"],
    published="2026-11-25 10:00",
)
OLDER = alert_text(title="Strong heroin", severity="danger", published="2026-11-20 09:00")
LATER = alert_text(title="Not yet", published="2026-11-28 09:00")


class Clock:
    """A clock a test moves by hand."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def test_the_bundled_content_ships_no_alert_and_no_people() -> None:
    library = load_library(BUNDLED_CONTENT)
    assert not library.alerts and library.people is None


def test_alerts_lists_the_live_ones_newest_first_with_severity(tmp_path: Path) -> None:
    tree = content_with(tmp_path, {"older.md": OLDER, "newer.md": NEWER, "later.md": LATER})
    bot = Bot(engine_at(tree, lambda: FRIDAY_NOON))
    bot.say("/alerts")
    text = bot.reply.text
    assert text.index("⚠️ Warning · Fake oxy pills") < text.index("⛔ Danger · Strong heroin")
    assert "Not yet" not in text
    assert "Where: Camden" in text and "Reported 25 November 10:00" in text
    assert "Carry naloxone" in text and "example.org" in text
    assert "a:fentanyl" in [data for _, data in bot.reply.buttons]


def test_banners_follow_the_clock_and_vanish_at_expiry(tmp_path: Path) -> None:
    tree = content_with(tmp_path, {"older.md": OLDER})
    clock = Clock(FRIDAY_NOON)
    engine = engine_at(tree, clock)
    en = engine.language("en")
    start = engine.handle(Event(EventKind.COMMAND, "start"))
    assert start.html.startswith("<b>⛔ Danger: Strong heroin</b>")
    assert start.buttons[0][0].data == "al:older"
    card = en.answer("fentanyl")
    assert "Strong heroin" in card.html and card.buttons[0][0].data == "al:older"
    assert "Strong heroin" not in en.answer("naloxone-how").html  # not about fentanyl
    assert "Strong heroin" not in en.answer("overdose-now").html  # the card stays short
    one = engine.handle(Event(EventKind.BUTTON, "al:older"))
    assert "Several overdoses this week" in one.html

    clock.now = dt.datetime(2026, 12, 4, 0, 0, tzinfo=dt.UTC)  # expires: 2026-12-04 (UTC)
    assert "Strong heroin" not in engine.handle(Event(EventKind.COMMAND, "start")).html
    assert "Strong heroin" not in en.answer("fentanyl").html
    listing = engine.handle(Event(EventKind.COMMAND, "alerts")).html
    assert "No drug alerts right now" in listing and "Strong heroin" not in listing
    ended = engine.handle(Event(EventKind.BUTTON, "al:older")).html
    assert "That alert has ended" in ended and "Several overdoses" not in ended


def test_two_alerts_on_one_answer_make_one_line_to_the_list(tmp_path: Path) -> None:
    tree = content_with(tmp_path, {"older.md": OLDER, "newer.md": NEWER})
    en = engine_at(tree, lambda: FRIDAY_NOON).language("en")
    card = en.answer("fentanyl")
    first_line = card.html.split("\n")[0]
    assert first_line == "<b>⛔ Danger: Strong heroin (and 1 more drug alerts)</b>"  # the worst
    assert card.buttons[0][0].data == "al"


def test_times_are_read_in_the_alerts_time_zone(tmp_path: Path) -> None:
    summer = alert_text(
        published="2026-07-01 09:00", expires="2026-07-02", timezone="Europe/London"
    )
    tree = content_with(tmp_path, {"summer.md": summer})
    at = dt.datetime(2026, 7, 1, 8, 30, tzinfo=dt.UTC)  # 09:30 in London (BST)
    assert (
        "Strong fentanyl"
        in engine_at(tree, lambda: at).handle(Event(EventKind.COMMAND, "alerts")).html
    )
    before = dt.datetime(2026, 7, 1, 7, 59, tzinfo=dt.UTC)  # 08:59 in London
    assert (
        "No drug alerts"
        in engine_at(tree, lambda: before).handle(Event(EventKind.COMMAND, "alerts")).html
    )


def test_check_reports_each_alert_mistake_at_its_line(tmp_path: Path) -> None:
    files = {
        "unknown.md": alert_text(substances=["fentanyl", "fentanil"]),
        "backwards.md": alert_text(published="2026-11-20", expires="2026-11-19"),
        "bad-date.md": alert_text(published="next tuesday"),
        "no-sources.md": alert_text(sources=[]),
        "gone.md": alert_text(published="2026-01-01", expires="2026-02-01"),
        "Bad Name.md": alert_text(),
    }
    tree = content_with(tmp_path, files)
    found = {str(p) for p in check(Config(content_dir=tree), today=FRIDAY_NOON.date())}
    folder = tree / "alerts"

    def at(name: str, needle: str) -> str:
        return f"{folder / name}:{line_of(folder / name, needle)}: "

    expected = [
        at("unknown.md", "- fentanil")
        + "substances: 'fentanil' is not a substance the content knows; did you mean 'fentanyl'?",
        at("backwards.md", "expires:") + "expires: is not after published",
        at("bad-date.md", "published:") + "published: 'next tuesday' is not a date",
        at("no-sources.md", "sources:") + "sources: List should have at least 1 item",
        at("gone.md", "expires:") + "warning: expired on 2026-02-01 00:00",
        f"{folder / 'Bad Name.md'}:1: the file name 'Bad Name' must be a short id",
    ]
    for start in expected:
        assert any(problem.startswith(start) for problem in found), (start, sorted(found))
    assert not any("unknown.md" in p and "'fentanyl'" in p.split("mean")[0] for p in found)


def test_alerts_work_in_hrbot_chat(
    tmp_path: Path, hrbot: Callable[..., tuple[int, str, str]]
) -> None:
    tree = content_with(tmp_path, {"live.md": alert_text(expires="2099-01-01")})
    config = tmp_path / "config.yaml"
    config.write_text(f"content_dir: {tree}\ncountry: GB\n", encoding="utf-8")
    code, out, _ = hrbot("chat", "--config", str(config), input="/alerts\n1\n")
    assert code == 0
    assert out.startswith("⛔ Danger: Strong fentanyl in heroin")  # the greeting's banner
    assert out.count("Several overdoses this week") == 1  # the list, then the card's button
    assert "Fentanyl" in out


def test_preview_shows_every_alert_with_when_people_see_it(tmp_path: Path) -> None:
    from bot.tools.preview import build

    tree = content_with(tmp_path, {"older.md": OLDER, "later.md": LATER})
    build(Config(content_dir=tree), tmp_path / "site", sets=[], today=FRIDAY_NOON.date())
    page = (tmp_path / "site" / "alerts.html").read_text(encoding="utf-8")
    assert "Strong heroin" in page and "Not yet" in page
    assert "live until 2026-12-04 00:00 UTC" in page and "shown from 2026-11-28 09:00" in page
    greeting = (tmp_path / "site" / "bot.html").read_text(encoding="utf-8")
    assert "⛔ Danger: Strong heroin" in greeting and 'href="alerts.html#al-older"' in greeting
