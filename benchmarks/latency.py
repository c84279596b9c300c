"""Print how fast the bot answers and starts.

    python benchmarks/latency.py [--rounds 20] [--synthetic 5000] [--profile] [--method NAME]

- Reply latency p50/p99 over the full per-message path, `LanguageEngine.text()` (emergency
  detection, matching, building the reply), for the bundled content (the held-out messages in
  tests/eval/en.yaml plus every answer's own examples, many rounds) and for a library of
  synthetic answers written to a temporary folder and read by the real loader.
- Start-up for the bundled content: loading and indexing, what `hrbot run` does before its
  first reply, each in a fresh process: with the content's phrases as `hrbot check` and the
  install script prepare them (bot/understanding/content_words.py; the target), and without
  (a first start, or no cache folder). Then, in this process, how much longer it takes to
  learn the labelled messages, which the Telegram bot does while it already answers
  (bot/understanding/learning.py); and
  `hrbot check` (loading, indexing and every check, which reads every answer's examples as
  messages: for staff, not on the way to a reply). Reply latency is measured once they are
  learnt.

`--method` measures a matching method other than the configured default (docs/matching.md);
methods that train fall back to "stems" at 5,000 answers, as they do in a deployment.

Targets: p99 <= 2 ms bundled, <= 20 ms at 5,000 answers; start-up <= 1 s bundled.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import yaml

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "eval" / "en.yaml"

_started = time.perf_counter()
from bot.config import BUNDLED_CONTENT, Config, Matching  # noqa: E402
from bot.engine import Engine, LanguageEngine  # noqa: E402
from bot.library import load_library  # noqa: E402
from bot.tools.checker import check  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - _started

T = TypeVar("T")
TARGET_BUNDLED_P99_MS = 2.0
TARGET_SYNTHETIC_P99_MS = 20.0
TARGET_STARTUP_S = 1.0


# --- measuring -----------------------------------------------------------------------------------

# What `hrbot run` does before its first reply, in a process of its own (so nothing read or
# imported by this one helps): prints the seconds for imports, loading and indexing.
START_UP = """
import sys, time
started = time.perf_counter()
from bot.config import Config, Matching
from bot.engine import Engine
from bot.library import load_library
imported = time.perf_counter() - started
config = Config(matching=Matching(method=sys.argv[1])) if sys.argv[1] else Config()
started = time.perf_counter()
library = load_library(config.content_dir)
loaded = time.perf_counter() - started
started = time.perf_counter()
Engine(library, config, learn_later=True)
print(imported, loaded, time.perf_counter() - started)
"""


def start_up(cache: Path | None, method: str | None, runs: int = 3) -> tuple[float, float]:
    """The median (load, index) seconds of `runs` fresh processes reading `cache` (None: no
    cache folder)."""
    env = {**os.environ, "HRBOT_CACHE_DIR": str(cache) if cache else ""}
    found = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", START_UP, method or ""],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        _, load_s, index_s = (float(x) for x in done.stdout.split())
        found.append((load_s + index_s, load_s, index_s))
    _, load_s, index_s = sorted(found)[len(found) // 2]
    return load_s, index_s


# The content's phrases written as `hrbot check` writes them, in a process of its own, so that
# nothing this one reads helps what it measures.
PREPARE = """
import sys
from bot.config import Config, Matching
from bot.engine import Engine
from bot.library import load_library
config = Config(matching=Matching(method=sys.argv[1])) if sys.argv[1] else Config()
Engine(load_library(config.content_dir), config, prepare=True)
"""


def prepare(cache: Path, method: str | None) -> None:
    env = {**os.environ, "HRBOT_CACHE_DIR": str(cache)}
    subprocess.run([sys.executable, "-c", PREPARE, method or ""], env=env, check=True)


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """The value below which `share` of the samples fall (nearest rank)."""
    index = min(len(sorted_values) - 1, max(0, round(share * len(sorted_values)) - 1))
    return sorted_values[index]


def latencies(
    engine: LanguageEngine, messages: Sequence[str], rounds: int
) -> tuple[list[float], list[float]]:
    """Milliseconds per `engine.text(message)`, every message `rounds` times in a shuffled order:
    wall-clock time, and this thread's CPU time (which other busy processes don't inflate)."""
    for message in messages:  # warm up: caches, first-call costs
        engine.text(message)
    order = list(messages) * rounds
    random.Random(1).shuffle(order)
    wall, cpu = [], []
    wall_clock, cpu_clock = time.perf_counter_ns, time.thread_time_ns
    gc.collect()
    for message in order:
        start, start_cpu = wall_clock(), cpu_clock()
        engine.text(message)
        cpu.append((cpu_clock() - start_cpu) / 1e6)
        wall.append((wall_clock() - start) / 1e6)
    return sorted(wall), sorted(cpu)


def report_latency(name: str, samples: tuple[list[float], list[float]], target_ms: float) -> bool:
    wall, cpu = samples
    p50, p99 = percentile(wall, 0.50), percentile(wall, 0.99)
    ok = p99 <= target_ms
    print(
        f"  {name}: n={len(wall)}  p50 {p50:.3f} ms  p99 {p99:.3f} ms  max {wall[-1]:.2f} ms  "
        f"mean {statistics.fmean(wall):.3f} ms  (target p99 <= {target_ms:g} ms: "
        f"{'ok' if ok else 'MISSED'})\n"
        f"  {' ' * len(name)}  CPU time only: p50 {percentile(cpu, 0.5):.3f} ms  "
        f"p99 {percentile(cpu, 0.99):.3f} ms"
    )
    return ok


def timed(action: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def profile(engine: LanguageEngine, messages: Sequence[str], title: str) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for message in messages:
        engine.text(message)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    print(f"\n--- where the time goes: {title} ({len(messages)} messages, by own time) ---")
    print(out.getvalue())


# --- messages -------------------------------------------------------------------------------------


def bundled_messages(engine: LanguageEngine) -> list[str]:
    items = yaml.safe_load(EVAL.read_text(encoding="utf-8"))
    held_out = [str(item["text"]) for item in items]
    examples = [example for entry in engine.entries.values() for example in entry.meta.examples]
    return held_out + examples


# --- a synthetic library --------------------------------------------------------------------------


def _vocabulary(text: str) -> list[str]:
    return text.split()


SUBSTANCES = _vocabulary("""fentanyl heroin methadone buprenorphine naloxone cocaine crack meth
ketamine mdma xylazine benzos alcohol cannabis ghb nitazenes oxycodone morphine codeine tramadol
pregabalin gabapentin mephedrone amphetamine spice lsd psilocybin kratom poppers""")
THINGS = _vocabulary("""needles syringes filters cookers water tourniquet swabs pipe foil straw
strips reagent kit sharps bin condoms lube dressing veins abscess tolerance dose withdrawal
craving relapse plan position breaths ambulance hospital clinic pharmacy outreach van hotline
counselling housing food shower detox rehab prescription doctor nurse peer worker card benefits
court police record job phone charger""")
ACTIONS = _vocabulary("""use inject smoke snort swallow mix test store carry dispose clean find get
give check reduce stop start taper share rotate treat dress spot reverse avoid report call""")
PLACES = _vocabulary("""park shelter home car festival party prison street hostel squat club
bathroom school work""")
PEOPLE = _vocabulary("friend partner brother sister mate roommate kid mum dad neighbour")
QUESTIONS = [
    "how do i {action} {substance}",
    "where can i get {thing}",
    "is it safe to {action} {substance} and {substance2}",
    "can i {action} {substance} at the {place}",
    "what happens if my {person} takes {substance}",
    "how much {substance} is too much",
    "do i need {thing} for {substance}",
    "{substance} {thing} how",
    "my {person} wants to {action} {substance}",
    "how long does {substance} last",
    "who can help with {thing} near the {place}",
    "what is the best way to {action} {thing}",
]


def synthetic_entry(number: int, rnd: random.Random) -> tuple[str, str, str]:
    """(area, id, file text) for one made-up answer."""
    substance, substance2 = rnd.sample(SUBSTANCES, 2)
    thing, thing2 = rnd.sample(THINGS, 2)
    action = rnd.choice(ACTIONS)
    area = rnd.choice(["overdose", "injecting", "testing", "services", "general"])
    entry_id = f"{action}-{substance}-{thing.replace(' ', '-')}-{number}"
    title = f"{action.capitalize()} {substance} and {thing}"[:60]

    def question() -> str:
        return rnd.choice(QUESTIONS).format(
            action=rnd.choice([action, rnd.choice(ACTIONS)]),
            substance=rnd.choice([substance, substance2]),
            substance2=rnd.choice(SUBSTANCES),
            thing=rnd.choice([thing, thing2]),
            place=rnd.choice(PLACES),
            person=rnd.choice(PEOPLE),
        )

    examples = list(dict.fromkeys(question() for _ in range(10)))[:8]
    keywords = [substance, thing, thing2, f"{action} {substance}"]
    front = {
        "id": entry_id,
        "title": title,
        "area": area,
        "summary": f"What to know before you {action} {substance} with {thing}.",
        "examples": examples,
        "keywords": keywords,
        "related": [],
        "emergency": False,
        "sources": [{"title": "Example", "url": f"https://example.org/{entry_id}"}],
        "review": {
            "status": "sourced",
            "reviewed_by": "",
            "reviewed_on": "2026-11-27",
            "next_review": "2027-11-27",
        },
    }
    body = (
        f"- Start with a small amount of {substance}.\n"
        f"- Keep {thing} and {thing2} to yourself.\n"
        f"- Ask a peer worker about {thing}."
    )
    text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n" + body
    return area, entry_id, text + "\n"


def synthetic_library(folder: Path, count: int) -> tuple[Path, list[str]]:
    """A content tree with `count` answers (plus the bundled emergency cards); the messages to
    send it (its examples, reworded a little, and the held-out messages)."""
    rnd = random.Random(5000)
    tree = folder / "content"
    en = tree / "en"
    en.mkdir(parents=True)
    for name in ("messages.yaml", "emergency.yaml", "stopwords.txt", "lexicon.yaml"):
        shutil.copy(BUNDLED_CONTENT / "en" / name, en / name)
    shutil.copytree(BUNDLED_CONTENT / "templates", tree / "templates")
    shutil.copy(BUNDLED_CONTENT / "emergency-numbers.yaml", tree / "emergency-numbers.yaml")
    for card in ("overdose/overdose-now.md", "services/crisis-support.md"):
        (en / card).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(BUNDLED_CONTENT / "en" / card, en / card)
    messages: list[str] = []
    for number in range(count):
        area, entry_id, text = synthetic_entry(number, rnd)
        (en / area).mkdir(exist_ok=True)
        (en / area / f"{entry_id}.md").write_text(text, encoding="utf-8")
        if number % 10 == 0:
            example = yaml.safe_load(text.split("---")[1])["examples"][0]
            messages.append(_reword(example, rnd))
    held_out = [str(item["text"]) for item in yaml.safe_load(EVAL.read_text(encoding="utf-8"))]
    return tree, messages + held_out


def _reword(text: str, rnd: random.Random) -> str:
    """Drop a word or make a typo, as people do."""
    words = text.split()
    if len(words) > 3 and rnd.random() < 0.5:
        del words[rnd.randrange(len(words))]
    index = rnd.randrange(len(words))
    word = words[index]
    if len(word) > 4:
        cut = rnd.randrange(1, len(word) - 1)
        words[index] = word[:cut] + word[cut + 1 :]
    return " ".join(words)


# --- main -----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="rounds over the bundled messages")
    parser.add_argument("--synthetic", type=int, default=5000, help="synthetic answers")
    parser.add_argument("--synthetic-rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print where the time goes")
    parser.add_argument("--method", help="a matching method (bot/understanding/scorers/)")
    args = parser.parse_args()
    matching = Matching(method=args.method) if args.method else Matching()
    config = Config(matching=matching)
    results: list[bool] = []

    print(f"Python {sys.version.split()[0]}; importing the bot took {IMPORT_SECONDS:.2f} s")
    print("\nStart-up, bundled content, each in a fresh process (median of 3)")
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder)
        prepare(cache, args.method)
        load_s, index_s = start_up(cache, args.method)
        start_s = load_s + index_s
        results.append(start_s <= TARGET_STARTUP_S)
        print(
            f"  with the phrases prepared: load {load_s:.3f} s + index {index_s:.3f} s = "
            f"{start_s:.3f} s (what `hrbot run` does before its first reply once `hrbot check` "
            "or the install has prepared them: every file read and checked for use, the "
            f"matcher and the recogniser built; target <= {TARGET_STARTUP_S:g} s: "
            f"{'ok' if results[-1] else 'MISSED'})"
        )
        cold_load_s, cold_index_s = start_up(None, args.method)
        print(
            f"  without them: load {cold_load_s:.3f} s + index {cold_index_s:.3f} s = "
            f"{cold_load_s + cold_index_s:.3f} s (a first start, or no cache folder)"
        )
        prepared = config.model_copy(update={"cache_dir": cache})
        print("\nIn this process, with the phrases prepared")
        load_s, library = timed(lambda: load_library(prepared.content_dir))
        index_s, engine = timed(lambda: Engine(library, prepared, learn_later=True))
        start_s = load_s + index_s
        print(f"  load {load_s:.3f} s + index {index_s:.3f} s = {start_s:.3f} s")
        learnt_s, _ = timed(
            lambda: [language.learning.wait() for language in engine.languages.values()]
        )
        print(
            f"  then the labelled messages learnt in a thread {learnt_s:.3f} s later "
            f"({start_s + learnt_s:.3f} s after the start), while the bot already answers"
        )
        check_s, problems = timed(lambda: check(prepared))
        errors = sum(p.is_error for p in problems)
        again = sorted(timed(lambda: check(prepared))[0] for _ in range(3))
        print(
            f"  `hrbot check` ({errors} errors; it also reads every example as a message): "
            f"{check_s:.3f} s, then a median of {again[1]:.3f} s over 3 more"
        )

    english = engine.language("en")
    messages = bundled_messages(english)
    print(f"\nmatching method: {english.matcher.method}")
    print(f"\nReply latency, LanguageEngine.text(), {len(english.entries)} bundled answers")
    print(f"  {len(messages)} messages (held-out set and every example) x {args.rounds} rounds")
    samples = latencies(english, messages, args.rounds)
    results.append(report_latency("bundled", samples, TARGET_BUNDLED_P99_MS))
    if args.profile:
        profile(english, messages, "bundled")

    if args.synthetic:
        with tempfile.TemporaryDirectory() as folder:
            write_s, (tree, synthetic_messages) = timed(
                lambda: synthetic_library(Path(folder), args.synthetic)
            )
            big_config = Config(content_dir=tree, matching=matching)
            load_s, big_library = timed(lambda: load_library(tree))
            index_s, big = timed(lambda: Engine(big_library, big_config))
            big_english = big.language("en")
            print(f"\nmatching method at this size: {big_english.matcher.method}")
            print(
                f"\nReply latency, {len(big_english.entries)} answers "
                f"({args.synthetic} synthetic; written in {write_s:.1f} s, "
                f"loaded in {load_s:.1f} s, indexed in {index_s:.1f} s)\n"
                f"  {len(synthetic_messages)} messages (reworded examples and the held-out set) "
                f"x {args.synthetic_rounds} rounds"
            )
            samples = latencies(big_english, synthetic_messages, args.synthetic_rounds)
            results.append(
                report_latency(f"{args.synthetic} synthetic", samples, TARGET_SYNTHETIC_P99_MS)
            )
            if args.profile:
                profile(big_english, synthetic_messages, f"{args.synthetic} synthetic")

    print("\nall targets met" if all(results) else "\nSOME TARGETS MISSED")
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
