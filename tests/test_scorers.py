"""Every matching method keeps the matcher's contract: scores 0-100, at most three alternatives
that are real answers other than the one given, no answer for nonsense, "did you mean" when
unsure, and a fallback to "stems" for libraries too large to train on."""

from __future__ import annotations

import typing
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import BUNDLED_CONTENT, Config, ConfigError, Matching, MatchingMethod, load_config
from bot.engine import Engine, build_engine
from bot.library import load_library
from bot.understanding.matcher import Matcher, MatchSettings
from bot.understanding.scorers import DEFAULT_METHOD, METHODS, method_for

ALL = sorted(METHODS)
QUESTIONS = [
    "how do i use narcan",
    "where can i get fent strips",
    "is it ok to mix xanax and alcohol",
    "my mate had a few lines of coke and some pills, his heart is racing what do we do",
    "naloxone",
]
NONSENSE = ["asdfgh qwerty zxcvb", "recommend a movie"]
ELSEWHERE = ["what's the weather like tomorrow", "who won the football last night"]


@pytest.fixture(scope="module", params=ALL)
def method_engine(request: pytest.FixtureRequest) -> tuple[str, Engine]:
    """The bundled answers without the labelled messages: the contract is the same with them,
    and the methods that train would take seconds each on them (benchmarks/ measures those)."""
    method = request.param
    config = Config(matching=Matching(method=method))
    library = load_library(config.content_dir, config.local_content)
    library.languages[config.default_language].labelled_files = ()
    return method, Engine(library, config)


def test_the_config_names_every_method_and_only_those() -> None:
    assert set(typing.get_args(MatchingMethod)) == set(METHODS)
    assert Config().matching.method == DEFAULT_METHOD


def test_an_unknown_method_in_the_config_is_one_line_naming_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("matching:\n  method: neural\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"matching\.method"):
        load_config(path)


def test_the_engine_uses_the_method_the_config_names(method_engine: tuple[str, Engine]) -> None:
    method, engine = method_engine
    assert engine.language("en").matcher.method == method


def test_scores_run_0_to_100_and_alternatives_are_other_real_answers(
    method_engine: tuple[str, Engine],
) -> None:
    _, engine = method_engine
    english = engine.language("en")
    for text in QUESTIONS + NONSENSE + ELSEWHERE:
        found = english.matcher.match(text)
        assert 0 <= found.score <= 100, text
        assert len(found.alternatives) <= 3, text
        ids = [i for i, _ in found.alternatives]
        assert found.entry_id not in ids and len(set(ids)) == len(ids), text
        assert set(ids) <= set(english.entries), text
        scores = [s for _, s in found.alternatives]
        assert all(0 <= s <= 100 for s in scores) and scores == sorted(scores, reverse=True)
        ranked = english.matcher.rank_words(english.matcher.analyser.canonical_words(text))
        assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)


def test_a_plain_question_is_answered(method_engine: tuple[str, Engine]) -> None:
    _, engine = method_engine
    assert engine.read("how do i use narcan", "en").shown == "naloxone-how"
    assert engine.read("how do fentanyl test strips work", "en").shown == "fentanyl-test-strips"


@pytest.mark.parametrize("text", NONSENSE)
def test_nonsense_gets_no_answer_and_nothing_to_choose(
    method_engine: tuple[str, Engine], text: str
) -> None:
    _, engine = method_engine
    found = engine.language("en").matcher.match(text)
    assert found.entry_id is None
    assert found.alternatives == ()
    assert engine.read(text, "en").shown is None


@pytest.mark.parametrize("text", ELSEWHERE)
def test_questions_about_something_else_get_no_answer(
    method_engine: tuple[str, Engine], text: str
) -> None:
    _, engine = method_engine
    assert engine.language("en").matcher.match(text).entry_id is None
    assert engine.read(text, "en").shown is None


@pytest.mark.parametrize("method", ALL)
def test_unsure_offers_did_you_mean_with_the_best_first(
    method: MatchingMethod, content: Callable[..., Path]
) -> None:
    strict = Matching(method=method, answer_threshold=100, suggest_threshold=1)
    matcher = build_engine(Config(content_dir=content(), matching=strict)).language("en").matcher
    found = matcher.match("how do i use narcan")
    assert found.entry_id is None
    assert found.alternatives[0][0] == "naloxone-how"


@pytest.mark.parametrize("method", ALL)
def test_a_library_of_one_answer_still_answers_and_rejects(
    method: MatchingMethod, content: Callable[..., Path]
) -> None:
    small = Matching(method=method)
    tree = content(
        {
            "overdose/overdose-now.md": None,
            "services/crisis-support.md": None,
            "testing/fentanyl-test-strips.md": None,
        }
    )
    engine = build_engine(Config(content_dir=tree, matching=small))
    matcher = engine.language("en").matcher
    assert matcher.match("how do i use narcan").entry_id == "naloxone-how"
    assert matcher.match("recommend a movie").entry_id is None


def test_other_methods_fall_back_to_stems_for_large_libraries(engine: Engine) -> None:
    assert method_for("stems", 50_000) == "stems"
    for method in ("bm25", "chars", "classifier", "blend"):
        assert method_for(method, 10) == method
        assert method_for(method, 50_000) == "stems"
    english = engine.language("en")
    entries = list(english.entries.values())
    settings = MatchSettings(method="classifier", large=len(entries))
    matcher = Matcher(entries, english.matcher.analyser, settings)
    assert matcher.method == "stems"
    assert matcher.match("how do i use narcan").entry_id == "naloxone-how"


def test_an_unknown_method_is_refused_with_the_names_to_use() -> None:
    with pytest.raises(ValueError, match="stems"):
        method_for("neural", 10)


def test_char_pieces_are_fitted_as_scikit_learn_fits_them() -> None:
    """CharGrams.fit counts pieces word by word (five times faster on the labelled messages);
    what it makes must be what TfidfVectorizer(analyzer="char_wb") makes, to the last bit, so
    the classifier learns the same features and a message is read in the space it was fitted
    in."""
    import numpy as np
    import yaml
    from sklearn.feature_extraction.text import TfidfVectorizer

    from bot.understanding.scorers.chars import NGRAMS, CharGrams

    labelled = BUNDLED_CONTENT / "en" / "labelled" / "people-tune72.yaml"
    texts = [item["text"] for item in yaml.safe_load(labelled.read_text(encoding="utf-8"))]
    texts += ["", "a", "Narcan NARCAN narcan", "naloxone  naloxone\tkit", "ok ok ok ok"]
    grams, matrix = CharGrams.fit(texts)
    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True, dtype=np.float32
    )
    expected = vectorizer.fit_transform(texts).tocsr()
    expected.sort_indices()
    assert grams.pieces == sorted(vectorizer.vocabulary_)
    assert np.array_equal(grams.idf, vectorizer.idf_)
    assert matrix.shape == expected.shape
    assert (matrix != expected).nnz == 0


def test_answers_fitted_in_groups_get_the_margins_of_one_fit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The classifier fits its answers in groups, a thread each, each group with the others'
    answers as one class "the rest": every answer's row must be the one a single one-against-
    the-rest fit gives it, in the answers' order."""
    import numpy as np
    from scipy import sparse
    from sklearn.svm import LinearSVC

    from bot.understanding.scorers import classifier

    rng = np.random.default_rng(7)
    labels = rng.integers(0, 7, size=400)
    noise = sparse.random(400, 60, density=0.2, random_state=7)
    features = sparse.hstack([sparse.csr_matrix(np.eye(7)[labels] * 0.5), noise]).tocsr()
    weights = np.ones(400)
    monkeypatch.setattr(classifier, "_cores", lambda: 3)
    coef, intercept = classifier._fit(features, labels, weights)
    whole = LinearSVC(C=classifier.C).fit(features, labels, sample_weight=weights)
    assert coef.shape == whole.coef_.shape
    assert np.allclose(coef, whole.coef_, atol=1e-3)
    assert np.allclose(intercept, whole.intercept_, atol=1e-3)


def test_the_stems_index_is_made_once_for_the_same_phrases(engine: Engine) -> None:
    """Engines over the same content share one index (the checker builds several); other
    phrases get their own, so an answer a service adds is found at once."""
    from bot.understanding.scorers.base import Target
    from bot.understanding.scorers.stems import StemScorer

    analyser = engine.language("en").matcher.analyser
    targets = [Target("naloxone-how", ("how do i use narcan",)), Target("a", ("zorblax kit",))]
    first, again = StemScorer(targets, analyser), StemScorer(targets, analyser)
    assert first._phrases is again._phrases
    added = [*targets, Target("b", ("florp wibble",))]
    other = StemScorer(added, analyser)
    assert other._phrases is not first._phrases
    assert other.rank(analyser.canonical_words("florp wibble"))[0][0] == "b"
