"""The answers to list for a few typed words, as inline mode shows them (`@bot naloxone`).

A chat message gets one reply; an inline query gets a list to choose from, so this lists
every answer the matcher finds close enough, best first. It reads the words the way a message
is read (bot/understanding/reading.py), so an emergency in the words puts its card first, a
request to buy or make drugs lists nothing, and a greeting or nothing typed yet lists the most
useful cards. Answers far below the best one are left out. Pure: nothing of the words
outlives the call.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.understanding.reading import Reader, Route

LIMIT = 8  # a list that fits on a phone's screen above the keyboard
# Listed when at least this share of the best score (and over the did-you-mean threshold):
# "naloxone" lists the naloxone answers and tranq, not every answer that says naloxone once.
RELATIVE = 0.4


def answers_for(
    reader: Reader, text: str, featured: Sequence[str], limit: int = LIMIT
) -> tuple[str, ...]:
    """Answer ids for `text`, best first, each once and at most `limit`.

    `featured` are offered (after the overdose card) before anything is typed, and for a
    greeting; ids that can't be shown are skipped.
    """
    overdose = reader.detector.rules.overdose_card
    if not text.strip():
        return _servable([overdose, *featured], reader, limit)
    reading = reader.read(text)
    if reading.route is Route.OFF_TOPIC:
        return ()
    if reading.route is Route.GREETING:
        return _servable([overdose, *featured], reader, limit)
    ranked = reader.matcher.rank_words(reader.analyser.canonical_words(text))
    best = ranked[0][1] if ranked else 0.0
    floor = max(reader.matcher.settings.suggest, RELATIVE * best)
    close = [entry_id for entry_id, score in ranked if score >= floor]
    return _servable([reading.card, reading.shown, *close], reader, limit)


def _servable(ids: Iterable[str | None], reader: Reader, limit: int) -> tuple[str, ...]:
    found: list[str] = []
    for entry_id in ids:
        if entry_id is not None and entry_id in reader.servable and entry_id not in found:
            found.append(entry_id)
    return tuple(found[:limit])
