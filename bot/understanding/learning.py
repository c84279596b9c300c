"""Learning the labelled messages: at once, or while the bot already answers.

Reading thousands of labelled messages (content/<lang>/labelled/) and building the matcher over
them takes longer than the rest of start-up together. The Telegram bot therefore starts
answering without them, from the answers' own titles, keywords and examples, and learns them in
a thread of its own; the matcher swaps its scorer in whole when they are learnt
(Matcher.learn). Every detector (overdose, crisis, the finder) is ready from the first message:
only which answer a question gets can change, once, a second or so after start-up. The terminal,
the checker, the benchmarks and the tests learn them before the first message (`learn_later`
false, the default), so what they measure is what people get once the bot is up.

Nothing here sees a message: only content files are read.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.content.labelled import Labelled, forget_files, load_labelled
from bot.content.problems import Problem
from bot.understanding.content_words import forget_content_words
from bot.understanding.matcher import Matcher, forget_content_stems
from bot.understanding.scorers.stems import forget_indexes
from bot.understanding.scorers.trained import forget_models

log = logging.getLogger(__name__)


def settle() -> None:
    """Start-up is over: drop what was kept for building more engines (the labelled files
    read, the content phrases' stems, the stems indexes, the trained classifiers) and
    collect it.

    Those (and the content phrases' canonical words, bot/understanding/content_words.py) are
    hundreds of thousands of objects, and while they live every full pass of the
    garbage collector walks them: one held a reply up by a tenth of a second. Called by the
    learning thread when it is done (before then the caches hold only the answers' own
    phrases), and by benchmarks that build an engine the way the terminal does. Nothing is
    frozen (`gc.freeze`): an object frozen while a message is handled would never be collected.
    """
    forget_files()
    forget_content_stems()
    forget_content_words()
    forget_models()
    forget_indexes()
    gc.collect()


class Learning:
    """The labelled messages of one language, learnt by its matcher now or in a thread."""

    def __init__(self, files: Sequence[Path], answers: Iterable[str]) -> None:
        self.files = tuple(files)
        self.answers = frozenset(answers)
        self.problems: list[Problem] = []
        self.learnt = threading.Event()

    def read(self) -> Labelled:
        """The files' messages; their problems kept in `problems` (for `hrbot check`)."""
        labelled, problems = load_labelled(self.files, self.answers)
        self.problems.extend(problems)
        return labelled

    def start(self, matcher: Matcher) -> None:
        """Learn in a thread of its own; `learnt` is set when the matcher ranks with them."""
        thread = threading.Thread(target=self._learn, args=(matcher,), name="learn-labelled")
        thread.daemon = True  # a bot told to stop doesn't wait for it
        thread.start()

    def done(self) -> None:
        self.learnt.set()

    def wait(self, timeout: float | None = None) -> bool:
        """True once the labelled messages are learnt (at once when they were learnt first)."""
        return self.learnt.wait(timeout)

    def _learn(self, matcher: Matcher) -> None:
        try:
            matcher.learn(self.read())
            matcher.analyser.content_words.save()
            settle()
            for problem in self.problems:
                if problem.is_error:
                    log.warning("content problem, skipped: %s", problem)
        except Exception:  # the bot keeps answering from the answers' own examples
            log.exception("the labelled messages could not be learnt; answering without them")
        finally:
            self.done()
