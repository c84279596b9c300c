"""`hrbot alerts`: every alert file, whether people see it now, and since or until when.

Staff use it after writing an alert to see that the bot reads it as meant (the times in the
alert's own time zone), and before `hrbot alerts post ID`.
"""

from __future__ import annotations

import datetime as dt

from bot.content.alerts import Alert, AlertBook


def state(alert: Alert, now: dt.datetime) -> str:
    """ "live until …", "from …" or "expired …", in the alert's own time zone."""

    def when(moment: dt.datetime) -> str:
        return alert.local(moment).strftime("%Y-%m-%d %H:%M %Z")

    if alert.is_live(now):
        return f"live until {when(alert.expires)}"
    if alert.published > now:
        return f"shown from {when(alert.published)}"
    return f"expired {when(alert.expires)}"


def alert_lines(book: AlertBook, now: dt.datetime) -> list[str]:
    """One line per alert, live ones first (newest first), then the coming ones, then the rest."""
    live = book.live(now)
    coming = sorted((a for a in book.alerts if a.published > now), key=lambda a: a.published)
    rest = [a for a in book.alerts if a not in live and a not in coming]
    lines = []
    for alert in [*live, *coming, *rest]:
        substances = ", ".join(alert.substances)
        lines.append(
            f"{alert.id}  [{alert.severity}] {alert.title} ({substances}) - {state(alert, now)}"
        )
    return lines or ["no alerts: put one in alerts/ in your own folder (see docs/alerts.md)"]
