"""The schema of `content/<lang>/topic-words.yaml`: the words that make a message about drugs,
using, the body and health, or this service (bot/understanding/topic.py reads them)."""

from __future__ import annotations

from bot.content.kit import Phrases, Strict, Words

FILE_NAME = "topic-words.yaml"


class TopicFile(Strict):
    words: Phrases  # words and phrases that count by themselves
    everyday: Words = []  # drug senses of everyday words: never enough alone
    using: Words = []  # using said in common words: make an everyday word near them count
    elsewhere: Words = []  # an everyday word near one of these keeps its everyday sense
