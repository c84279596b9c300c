"""Opening hours typed the way people type them → OpenStreetMap `opening_hours`.

A spreadsheet says "Mon-Fri 9-5", "Fri & Sat 10pm-3am", "9am-5pm Mon to Fri (closed 1-2)",
"Tuesdays 10:00-12:00" or "7:30am–4:00pm". The finder needs `Mo-Fr 09:00-17:00` to say "open
now · closes 5pm", and a wrong reading is worse than none: a clinic shown open at 4am when it
closes at 4pm sends someone to a locked door. So this reads only what it can read without
guessing wrong: day names and ranges, times with or without am/pm, a lunch break in brackets,
"closed" days, "24/7". A word it does not know ("every other Wednesday", "by appointment",
"1st Monday") means the text is kept as written and shown with "call to check".

Times without am/pm follow the office convention: a start from 7 to 11 is morning, 12 is noon,
1 to 6 is afternoon; an end is the first reading after the start ("9-5" is 09:00-17:00). A range
that could be morning or evening ("7-11") is not guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import opening_hours

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_DAY_WORDS = {
    "mo": 0, "mon": 0, "monday": 0,
    "tu": 1, "tue": 1, "tues": 1, "tuesday": 1,
    "we": 2, "wed": 2, "weds": 2, "wednesday": 2,
    "th": 3, "thu": 3, "thur": 3, "thurs": 3, "thursday": 3,
    "fr": 4, "fri": 4, "friday": 4,
    "sa": 5, "sat": 5, "saturday": 5,
    "su": 6, "sun": 6, "sunday": 6,
}  # fmt: skip
_GROUPS = {
    "weekdays": (0, 1, 2, 3, 4),
    "weekday": (0, 1, 2, 3, 4),
    "weekends": (5, 6),
    "weekend": (5, 6),
    "daily": tuple(range(7)),
}
# Phrases rewritten before reading, so that the reader sees one word for each idea.
_PHRASES = (
    (r"\b(7 days a week|seven days a week|7 days|every ?day|all week)\b", " daily "),
    (r"\b(24 ?hours?|24 ?hrs|24/7|open 24/7|24-7)\b", " always "),
    (r"\b(to|till|til|until|thru|through)\b|[–—~]", " - "),
    (r"\b(and|&|plus)\b|&", " , "),
    (r"\bnoon\b|\bmidday\b", " 12:00pm "),
    (r"\bmidnight\b", " 12:00am "),
    (r"\b(a\.m\.?|am)\b", "am"),
    (r"\b(p\.m\.?|pm)\b", "pm"),
)
# Words that carry no meaning for the hours ("open Mon-Fri from 9 to 5").
_FILLER = {"open", "from", "hours", "hrs", "only", "at", "on", "is", "are", "between", "the"}
_CLOSED = {"closed", "shut", "off", "lunch", "break"}  # "(closed 1-2)", "(lunch 12-1)"
_TOKEN = re.compile(
    r"(?P<time>\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a|p)?(?![\w/]))|(?P<word>[a-z]+)|(?P<sym>[-,;()/])"
)
_TIME = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a|p)?$")


class Unreadable(ValueError):
    """The hours could not be read safely; the message says which part."""


@dataclass(frozen=True)
class _Time:
    hour: int
    minute: int
    half: str | None  # "am", "pm" or None when not written
    raw: str

    @property
    def is_24h(self) -> bool:
        return self.half is None and (self.hour > 12 or self.raw.startswith("0"))

    @property
    def literal(self) -> int:
        """Minutes from midnight read on a 24-hour clock."""
        return self.hour * 60 + self.minute

    def readings(self) -> list[int]:
        """Every reading of the time: its own am/pm, else both (24-hour times have one)."""
        if self.is_24h:
            return [self.literal]
        return [self.minutes(self.half)] if self.half else [self.minutes("am"), self.minutes("pm")]

    def minutes(self, half: str | None) -> int:
        """Minutes from midnight read with `half` (am/pm), for a 12-hour time."""
        hour = self.hour % 12 + (12 if half == "pm" else 0)
        return hour * 60 + self.minute


@dataclass
class _Rule:
    days: list[int] = field(default_factory=list)
    ranges: list[tuple[int, int]] = field(default_factory=list)
    breaks: list[tuple[_Time, _Time]] = field(default_factory=list)
    closed: bool = False


@dataclass(frozen=True)
class Reading:
    """The opening_hours value, and `guessed` when a bare hour was read by the convention."""

    hours: str
    guessed: bool


def read_typed_hours(text: str) -> Reading:
    """Typed hours as opening_hours, or `Unreadable` saying what could not be read."""
    folded = " " + text.casefold().strip() + " "
    for pattern, replacement in _PHRASES:
        folded = re.sub(pattern, replacement, folded)
    tokens = _tokens(folded, text)
    state = _Reader()
    for kind, value in tokens:
        state.take(kind, value)
    rules = state.finish()
    hours = _format(rules)
    if hours in ("Mo-Su 00:00-24:00", "00:00-24:00"):
        hours = "24/7"
    if not opening_hours.validate(hours):
        raise Unreadable(f"makes {hours!r}, which is not valid opening_hours")
    return Reading(hours, state.guessed)


def _tokens(folded: str, original: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    for match in _TOKEN.finditer(folded):
        gap = folded[position : match.start()].strip()
        if gap:
            raise Unreadable(f"cannot read {gap!r} in {original!r}")
        position = match.end()
        kind = match.lastgroup or ""
        value = match.group().strip()
        if kind == "word":
            word = value.removesuffix("s") if value.removesuffix("s") in _DAY_WORDS else value
            if word in _DAY_WORDS or word in _GROUPS:
                tokens.append(("day", word))
            elif word == "always":
                tokens.append(("always", word))
            elif word in _CLOSED:
                tokens.append(("closed", word))
            elif word in ("am", "pm"):
                raise Unreadable(f"{word!r} without a time in {original!r}")
            elif word not in _FILLER:
                raise Unreadable(f"does not know the word {value!r} in {original!r}")
        else:
            tokens.append((kind, value))
    if folded[position:].strip():
        raise Unreadable(f"cannot read {folded[position:].strip()!r} in {original!r}")
    return tokens


class _Reader:
    """Turns the token stream into rules: days and times in either order."""

    def __init__(self) -> None:
        self.rules: list[_Rule] = []
        self.current = _Rule()
        self.pending: list[str] = []  # "day" or "time" tokens of a range being read
        self.last_day: int | None = None
        self.dash = False
        self.times: list[_Time] = []
        self.in_brackets = False
        self.closing = False  # "closed" seen: the next range is a break, or the days are off
        self.guessed = False
        self.order: str | None = None  # "days-first" or "times-first"

    def take(self, kind: str, value: str) -> None:
        if kind == "day":
            self._day(value)
        elif kind == "time":
            self._time(value)
        elif kind == "always":
            self._always()
        elif kind == "closed":
            self.closing = True
        elif value == "-":
            self.dash = True
        elif value == "(":
            self.in_brackets = True
        elif value == ")":
            self.in_brackets = False
            self.closing = False
        elif value in (";", "/"):
            self._end_rule()
        # "," joins days or separates rules; which one is decided by what follows.

    def _day(self, word: str) -> None:
        if self.times:
            raise Unreadable("a time range is not finished")
        has_times = bool(self.current.ranges or self.current.closed)
        if has_times and self.order == "days-first":
            self._end_rule()
        if self.order is None:
            self.order = "days-first"
        if word in _GROUPS:
            self.current.days.extend(_GROUPS[word])
            self.last_day, self.dash = None, False
            return
        day = _DAY_WORDS[word]
        if self.dash and self.last_day is not None:
            span = range(self.last_day, self.last_day + 1 + (day - self.last_day) % 7)
            self.current.days.extend(index % 7 for index in span)
        else:
            self.current.days.append(day)
        self.last_day, self.dash = day, False
        if self.closing:
            self.current.closed = True
            self.closing = False

    def _always(self) -> None:
        """ "24 hours" on its days (or every day): open round the clock."""
        if self.times:
            raise Unreadable("a time range is not finished")
        if self.order is None:
            self.order = "times-first"
        self.current.ranges.append((0, 24 * 60))

    def _time(self, value: str) -> None:
        match = _TIME.match(value)
        if match is None:
            raise Unreadable(f"cannot read the time {value!r}")
        half = match.group(3)
        half = {"a": "am", "p": "pm"}.get(half, half) if half else None
        time = _Time(int(match.group(1)), int(match.group(2) or 0), half, value)
        if time.hour > 24 or time.minute > 59 or (half and not 1 <= time.hour <= 12):
            raise Unreadable(f"{value!r} is not a time of day")
        if self.times and not self.dash:
            raise Unreadable(f"a time {self.times[0].raw!r} with no end")
        self.dash = False
        self.times.append(time)
        if len(self.times) < 2:
            return
        start, end = self.times
        self.times = []
        if self.order is None:
            self.order = "times-first"
        if self.closing or self.in_brackets:
            self.current.breaks.append((start, end))
            return
        if self.current.days and self.order == "times-first" and self.current.ranges:
            self._end_rule()
        self.current.ranges.append(self._range(start, end))
        self.last_day = None

    def _range(self, start: _Time, end: _Time) -> tuple[int, int]:
        """(start, end) in minutes; an end before the start runs past midnight."""
        if start.half or end.half:
            if start.is_24h or end.is_24h:
                raise Unreadable(f"mixes 24-hour and am/pm times: {start.raw}-{end.raw}")
            return _shortest(start.readings(), end.readings())
        begin, finish = start.literal, end.literal
        if start.is_24h or end.is_24h:
            return begin, finish
        if ":" in start.raw + end.raw and start.hour >= 7 and begin < finish:
            return begin, finish  # "10:00-12:00" on a 24-hour clock
        if 7 <= start.hour <= 11 and 7 <= end.hour <= 11 and start.hour < end.hour:
            raise Unreadable(f"{start.raw}-{end.raw} could be morning or evening; add am or pm")
        # The office convention: a start from 7 to 11 is morning, 12 noon, 1 to 6 afternoon.
        self.guessed = True
        return _shortest([start.minutes("am" if 7 <= start.hour <= 11 else "pm")], end.readings())

    def _end_rule(self) -> None:
        if self.current.days or self.current.ranges or self.current.closed:
            self.rules.append(self.current)
        self.current = _Rule()
        self.last_day, self.dash = None, False

    def finish(self) -> list[_Rule]:
        if self.times:
            raise Unreadable(f"a time {self.times[0].raw!r} with no end")
        if self.closing and self.current.days and not self.current.ranges:
            self.current.closed = True
        self._end_rule()
        if not self.rules:
            raise Unreadable("has no days or times")
        for rule in self.rules:
            if not rule.closed and not rule.ranges:
                raise Unreadable("names days with no times")
            if not rule.days and rule.ranges != [(0, 24 * 60)]:
                raise Unreadable("gives times but not the days; add them, like Mon-Fri")
            rule.ranges = _apply_breaks(rule.ranges, rule.breaks)
        return self.rules


def _apply_breaks(
    ranges: list[tuple[int, int]], breaks: list[tuple[_Time, _Time]]
) -> list[tuple[int, int]]:
    """A lunch break "(closed 1-2)" cuts the range it falls in; bare hours fit inside it."""
    for start, end in breaks:
        for index, (begin, finish) in enumerate(ranges):
            inside = [
                (a, b)
                for a in start.readings()
                for b in end.readings()
                if begin < a < b < (finish if finish > begin else finish + 24 * 60)
            ]
            if inside:
                cut_start, cut_end = inside[0]
                ranges = [
                    *ranges[:index],
                    (begin, cut_start),
                    (cut_end, finish),
                    *ranges[index + 1 :],
                ]
                break
        else:
            raise Unreadable(f"the break {start.raw}-{end.raw} is not inside the opening times")
    return ranges


def _shortest(starts: list[int], ends: list[int]) -> tuple[int, int]:
    """The reading of a range that is shortest going forward (overnight when it must be)."""
    pairs = [(a, b) for a in starts for b in ends if (b - a) % (24 * 60)]
    if not pairs:
        raise Unreadable("opens and closes at the same time")
    return min(pairs, key=lambda pair: (pair[1] - pair[0]) % (24 * 60))


def _format(rules: list[_Rule]) -> str:
    """Rules as opening_hours: open rules joined as additions, closed days last (they win)."""
    opened = [r for r in rules if not r.closed]
    closed = [r for r in rules if r.closed]
    parts = [
        f"{_days(r.days)} {','.join(_span(a, b) for a, b in r.ranges)}".strip() for r in opened
    ]
    text = ", ".join(parts)
    for rule in closed:
        text = f"{text}; {_days(rule.days)} off" if text else f"{_days(rule.days)} off"
    return text


def _days(days: list[int]) -> str:
    """Day indexes as Mo-Fr, Sa,Su or Fr,Sa (ranges of three or more days joined by a dash)."""
    unique = sorted(set(days))
    if not unique:
        return ""
    if len(unique) == 7:
        return "Mo-Su"
    groups: list[list[int]] = []
    for day in unique:
        if groups and day == groups[-1][-1] + 1:
            groups[-1].append(day)
        else:
            groups.append([day])
    parts = []
    for group in groups:
        if len(group) >= 3:
            parts.append(f"{DAYS[group[0]]}-{DAYS[group[-1]]}")
        else:
            parts.extend(DAYS[day] for day in group)
    return ",".join(parts)


def _span(start: int, end: int) -> str:
    """A range in minutes as HH:MM-HH:MM; an end at or before the start runs past midnight."""
    if end == 0:
        end = 24 * 60
    return f"{_hhmm(start)}-{_hhmm(end)}"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def twelve_hour(value: str) -> str:
    """One typed time ("4:00pm", "9:00am", "16:30", "noon") as HH:MM, or "" if it isn't one."""
    folded = " " + value.casefold().strip() + " "
    for pattern, replacement in _PHRASES[4:]:
        folded = re.sub(pattern, replacement, folded)
    match = _TIME.match(folded.strip())
    if match is None:
        return ""
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    half = match.group(3)
    if minute > 59 or hour > 24:
        return ""
    if half:
        if not 1 <= hour <= 12:
            return ""
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    return _hhmm(hour * 60 + minute)
