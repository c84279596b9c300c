"""Drug-supply alerts as replies: `/alerts`, one alert, and the banner on other replies.

Which alerts are live is asked of the clock at every reply, so an alert appears when its
`published` time comes and vanishes when it expires, with nothing stored or scheduled. An
alert's banner goes on the greeting and on the answers about its substances: the drug card of
each substance (mixes/substances.yaml names it), an answer with the substance's id, and the
mix answers that involve it. The emergency and crisis cards never carry one: they stay short.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from markupsafe import Markup, escape

from bot.content.alerts import Alert, AlertBook
from bot.content.messages import Messages
from bot.content.mixes import MixTable
from bot.content.model import Entry, Source
from bot.conversation import protocol as p
from bot.conversation.reply import Button, Reply
from bot.rendering.render import Renderer

TEMPLATE = "alerts.html.j2"
Rows = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class _Item:
    """One alert as the template shows it; `body_html` is already Telegram HTML."""

    severity: str
    title: str
    where: str
    dates: str
    body_html: Markup
    sources: list[Source]


@dataclass(frozen=True)
class Banner:
    """The one line shown above a reply while an alert about it is live, and its button."""

    html: str
    button: Button


@dataclass(frozen=True)
class Channel:
    """The service's own Telegram channel for alerts, as people see it: a name and a link."""

    name: str = ""
    link: str = ""


def substance_answers(
    book: AlertBook, entries: Mapping[str, Entry], mixes: MixTable | None
) -> dict[str, frozenset[str]]:
    """Alert id → the answers that carry its banner (drug cards, answers named like the
    substance); mix answers are matched by their substances when shown."""
    found: dict[str, frozenset[str]] = {}
    substances = mixes.substances if mixes is not None else {}
    for alert in book.alerts:
        ids = set()
        for name in alert.substances:
            if name in entries:
                ids.add(name)
            card = substances[name].card if name in substances else ""
            if card in entries:
                ids.add(card)
        found[alert.id] = frozenset(ids)
    return found


class AlertReplies:
    """The alert replies for one language over the deployment's alerts."""

    def __init__(
        self,
        book: AlertBook,
        messages: Messages,
        renderer: Renderer,
        entries: Mapping[str, Entry],
        mixes: MixTable | None,
        clock: Callable[[], dt.datetime],
        channel: Channel = Channel(),
    ) -> None:
        self.book = book
        self.words = messages.alerts
        self.messages = messages
        self.renderer = renderer
        self.entries = entries
        self.clock = clock
        self.channel = channel
        self._answers = substance_answers(book, entries, mixes)

    def live(self) -> list[Alert]:
        return self.book.live(self.clock()) if self.book else []

    # --- replies ---------------------------------------------------------------------------

    def listing(self, home: Rows) -> Reply:
        """`/alerts`: every live alert, newest first, each with its severity."""
        live = self.live()
        note = "" if live else self.words.none
        html = self._render(self.words.title, self.words.intro if live else note, live)
        return Reply(html, self._card_rows(live) + home)

    def one(self, alert_id: str, home: Rows) -> Reply:
        """One alert (a banner's button); an ended or unknown one says so and lists the rest."""
        live = self.live()
        alert = next((item for item in live if item.id == alert_id), None)
        if alert is None:
            html = self._render(self.words.title, self._ended_note(live), live)
            return Reply(html, self._card_rows(live) + home)
        rows = self._card_rows([alert])
        if len(live) > 1:
            rows = ((Button(self.words.list_button, p.ALERTS),), *rows)
        return Reply(self._render(self.words.title, "", [alert]), rows + home)

    def card(self, alert: Alert, home: Rows) -> Reply:
        """One alert as people see it while it is live, whatever the clock says (for
        `hrbot preview`, which shows coming and ended alerts too)."""
        return Reply(self._render(self.words.title, "", [alert]), self._card_rows([alert]) + home)

    def post(self, alert: Alert) -> str:
        """The alert as posted to the service's channel: the same card, without the list."""
        return self._render(self.words.title, "", [alert], follow=False)

    # --- banners ---------------------------------------------------------------------------

    def banner(self, entry_id: str | None = None, substances: Iterable[str] = ()) -> Banner | None:
        """The banner for the greeting (no `entry_id`, no `substances`: any live alert), an
        answer, or a mix answer (its two substances); None when no live alert is about it."""
        live = self.live()
        wanted = set(substances)
        if entry_id is not None or wanted:
            live = [
                alert
                for alert in live
                if entry_id in self._answers.get(alert.id, frozenset())
                or wanted & set(alert.substances)
            ]
        if not live:
            return None
        first = min(live, key=lambda alert: alert.severity.rank)  # live is newest first
        severity = self._severity(first)
        if len(live) == 1:
            text = self.words.banner.format(severity=severity, title=first.title)
            button = Button(self.words.button, p.data(p.ALERTS, first.id))
        else:
            text = self.words.banner_many.format(
                severity=severity, title=first.title, count=len(live) - 1
            )
            button = Button(self.words.list_button, p.ALERTS)
        return Banner(f"<b>{escape(text)}</b>", button)

    # --- helpers ---------------------------------------------------------------------------

    def _render(self, heading: str, note: str, alerts: list[Alert], follow: bool = True) -> str:
        return self.renderer.render(
            TEMPLATE,
            heading=heading,
            note=note,
            alerts=[self._item(alert) for alert in alerts],
            follow=self._follow() if follow else "",
        )

    def _item(self, alert: Alert) -> _Item:
        published = self._date(alert.local(alert.published))
        expires = self._date(alert.local(alert.expires))
        return _Item(
            severity=self._severity(alert),
            title=alert.title,
            where=self.words.where.format(areas=", ".join(alert.front.areas)),
            dates=self.words.dates.format(published=published, expires=expires),
            body_html=self.renderer.markdown(alert.body),
            sources=list(alert.front.sources),
        )

    def _severity(self, alert: Alert) -> str:
        return self.words.severities.get(str(alert.severity), str(alert.severity))

    def _date(self, moment: dt.datetime) -> str:
        """ "20 November 09:00"; the year when it isn't this year, no time at midnight."""
        text = f"{moment.day} {self.messages.months[moment.month - 1]}"
        if moment.year != self.clock().year:
            text += f" {moment.year}"
        return text if moment.time() == dt.time() else f"{text} {moment:%H:%M}"

    def _follow(self) -> Markup | str:
        """ "Follow @channel on Telegram", linked, when the service has a channel."""
        if not self.channel.link:
            return ""
        name = self.channel.name or self.channel.link
        link = Markup('<a href="{}">{}</a>').format(self.channel.link, name)
        return Markup(escape(self.words.follow).replace("{channel}", link))

    def _ended_note(self, live: list[Alert]) -> str:
        return self.words.ended if live else f"{self.words.ended} {self.words.none}"

    def _card_rows(self, alerts: list[Alert]) -> Rows:
        """The drug cards of the alerts' substances, two to a row, each once."""
        ids: list[str] = []
        for alert in alerts:
            for entry_id in sorted(self._answers.get(alert.id, frozenset())):
                if entry_id not in ids:
                    ids.append(entry_id)
        label = self.messages.buttons.answer
        buttons = [
            Button(label.format(title=self.entries[i].title), p.data(p.ANSWER, i)) for i in ids
        ]
        return p.rows(buttons[:6])
