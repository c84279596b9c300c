"""`hrbot review`: which answers need a look, and signing one off.

"Reviewed" is what makes the library peer-reviewed, so it has a tool: the list shows every
answer by status and due date, and `sign` records who reviewed it, when, and when it is due
again, in the answer's own file, changing nothing else (bot/tools/frontmatter.py). The file is
read back and checked before it is written, so a sign-off can never break an answer.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import os
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.config import Config
from bot.content.entries import read_entry
from bot.content.model import Entry, ReviewStatus
from bot.library import Library
from bot.tools.frontmatter import FrontMatterError, set_review

NEXT_REVIEW_MONTHS = 6
# "Name (role)": who signed, and in what capacity, so a reader can judge the sign-off.
SIGNER = re.compile(r"^\s*\S.*\(\s*\S[^()]*\)\s*$")


class ReviewError(Exception):
    """A sign-off that can't be made; the message says what to do."""


@dataclass(frozen=True)
class Row:
    """One answer in the review list."""

    entry: Entry
    due: bool  # next_review has passed (or was never set)

    @property
    def status(self) -> ReviewStatus:
        return self.entry.meta.review.status


def rows(entries: dict[str, Entry], today: dt.date) -> list[Row]:
    """Every answer: drafts first, then sourced, then reviewed; within each, the most
    overdue first (no date at all counts as due now)."""
    found = [Row(entry, _due(entry, today)) for entry in entries.values()]
    return sorted(
        found,
        key=lambda row: (
            row.status.rank,
            row.entry.meta.review.next_review or dt.date.min,
            row.entry.id,
        ),
    )


def _due(entry: Entry, today: dt.date) -> bool:
    review = entry.meta.review
    return review.next_review is None or review.next_review < today


def listing(entries: dict[str, Entry], today: dt.date) -> list[str]:
    """The lines `hrbot review` prints."""
    lines = []
    listed = rows(entries, today)
    for row in listed:
        review = row.entry.meta.review
        when = f"due {review.next_review}" if review.next_review else "no next_review"
        flag = "  ← due now" if row.due and row.status is not ReviewStatus.DRAFT else ""
        who = f"  by {review.reviewed_by}" if review.reviewed_by else ""
        lines.append(f"{row.status:<8}  {when:<16}  {row.entry.id}{who}{flag}")
    counts = Counter(row.status for row in listed)
    due = sum(row.due and row.status is not ReviewStatus.DRAFT for row in listed)
    summary = ", ".join(f"{counts[status]} {status}" for status in reversed(ReviewStatus))
    lines.append(f"{len(entries)} answers: {summary}; {due} due for review")
    return lines


def serving(library: Library, config: Config) -> list[str]:
    """What `min_review_status` leaves people, for `hrbot check`: how many answers each
    choice would serve, so a service knows before it switches to reviewed-only."""
    lines = []
    for language in library.languages.values():
        statuses = Counter(entry.meta.review.status for entry in language.entries.values())
        total = len(language.entries)
        chosen = config.min_review_status
        served = sum(n for status, n in statuses.items() if status.rank >= chosen.rank)
        others = [
            f"'{status}' would serve {sum(n for s, n in statuses.items() if s.rank >= status.rank)}"
            for status in ReviewStatus
            if status is not chosen
        ]
        lines.append(
            f"{language.code}: min_review_status '{chosen}': {served} of {total} answers would "
            f"be served ({'; '.join(others)})"
        )
    return lines


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day if it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class Signed:
    path: Path
    entry_id: str
    diff: str
    copied_from: Path | None = None  # the bundled file copied into the service's own folder


def sign(
    library: Library,
    language: str,
    entry_id: str,
    by: str,
    today: dt.date,
    status: ReviewStatus | None = None,
    next_review: dt.date | None = None,
    write: bool = True,
) -> Signed:
    """Record a sign-off of one answer in its file (or, with `write=False`, only say what
    would change). A bundled answer is first copied into the service's own folder, so the
    sign-off belongs to the service and survives upgrades."""
    if not SIGNER.match(by):
        raise ReviewError(f'--by "{by}": give a name and a role, like --by "Sam Lee (nurse)"')
    entries = library.languages[language].entries if language in library.languages else {}
    entry = entries.get(entry_id)
    if entry is None:
        raise ReviewError(f"no answer has the id '{entry_id}' (see `hrbot review` for the list)")
    values: dict[str, str | dt.date] = {
        "reviewed_by": by.strip(),
        "reviewed_on": today,
        "next_review": next_review or add_months(today, NEXT_REVIEW_MONTHS),
    }
    if status is not None:
        values["status"] = str(status)
    if values["next_review"] <= today:  # type: ignore[operator]
        raise ReviewError(f"--next {values['next_review']} must be after today ({today})")
    source = entry.path
    target, copied = _target(library, source)
    old = source.read_bytes().decode("utf-8")
    try:
        new = set_review(old, values)
    except FrontMatterError as exc:
        raise ReviewError(f"{source}: {exc}") from None
    _same_answer(entry, new, target, language)
    diff = "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            str(source),
            str(target),
        )
    )
    if write:
        if copied is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
        _write(target, new, source)
    return Signed(target, entry_id, diff, copied)


def _target(library: Library, path: Path) -> tuple[Path, Path | None]:
    """Where the signed file goes: in place, or into the service's own folder for a bundled
    answer when the deployment has one."""
    local = library.layers.local
    if local is None or path.is_relative_to(local):
        return path, None
    return local / path.relative_to(library.layers.base), path


def _same_answer(entry: Entry, text: str, target: Path, language: str) -> None:
    """The signed text must read as the same answer with only its review changed."""
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / entry.meta.area / entry.path.name
        probe.parent.mkdir()
        probe.write_bytes(text.encode("utf-8"))
        signed, problems = read_entry(probe, language)
    if signed is None or problems:
        reason = problems[0].message if problems else "it no longer reads"
        raise ReviewError(f"{entry.path}: not signed, the result would be broken: {reason}")
    before = entry.meta.model_dump(exclude={"review"})
    after = signed.meta.model_dump(exclude={"review"})
    if before != after or (signed.body, signed.more) != (entry.body, entry.more):
        raise ReviewError(f"{entry.path}: not signed: more than the review would change")


def _write(target: Path, text: str, like: Path) -> None:
    """Write through a temporary file in the same folder, so a crash leaves the old file."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8"))
        shutil.copymode(like, temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
