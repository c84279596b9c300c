"""Settings: none needed; a bad one is one clear line, several are all reported, each at its
line with what to write instead; paths are relative to the config file."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT

from bot.config import BUNDLED_CONTENT, Config, ConfigError, Matching, load_config
from bot.content.model import ReviewStatus
from bot.engine import build_engine


def test_no_config_means_the_defaults_on_the_bundled_content() -> None:
    config = load_config(None)
    assert config == Config()
    assert config.content_dir == BUNDLED_CONTENT
    assert config.country is None
    assert config.min_review_status is ReviewStatus.SOURCED


def test_the_example_config_is_the_defaults() -> None:
    example = ROOT / "config.example.yaml"
    config = load_config(example)
    assert config.model_dump(exclude={"content_dir"}) == Config().model_dump(
        exclude={"content_dir"}
    )


def write(tmp_path: Path, text: str, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("colour: red\n", "colour"),
        ("country: GBR\n", "country"),
        ("country: G1\n", "country"),
        ("min_review_status: approved\n", "min_review_status"),
        ("matching:\n  answer_thresold: 50\n", "matching.answer_thresold"),
        ("log_level: LOUD\n", "log_level"),
    ],
)
def test_a_bad_setting_is_one_clear_line(tmp_path: Path, text: str, mentions: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "\n" not in message
    assert re.match(rf"{re.escape(str(path))}:[12]: ", message), message
    assert mentions in message


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "country: GB\ncontent_dir: [unclosed\nlog_level: INFO\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}:3: ")


def test_a_missing_config_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.yaml")
    assert "nope.yaml" in str(caught.value) and "\n" not in str(caught.value)


def test_country_is_upper_cased(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "country: gb\n")).country == "GB"


def test_relative_content_dir_is_relative_to_the_config_file(
    tmp_path: Path, content: Callable[..., Path]
) -> None:
    tree = content()  # tmp_path/content
    path = write(tmp_path, "content_dir: ../content\ncountry: GB\n", name="deploy/config.yaml")
    config = load_config(path)
    assert config.content_dir.resolve() == tree.resolve()
    card = build_engine(config).language("en").answer("overdose-now")
    assert "999" in card.html


def test_absolute_content_dir_is_kept(tmp_path: Path, content: Callable[..., Path]) -> None:
    tree = content()
    path = write(tmp_path, f"content_dir: {tree}\n", name="elsewhere/config.yaml")
    assert load_config(path).content_dir == tree


def test_cli_reports_a_bad_config_in_one_line(tmp_path: Path, hrbot) -> None:
    path = write(tmp_path, "colour: red\n")
    code, out, err = hrbot("match", "--config", str(path), "narcan")
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hrbot: ") and "colour" in lines[0]


def test_cli_uses_the_config_from_another_folder(
    tmp_path: Path, content: Callable[..., Path], hrbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    content()
    path = write(tmp_path, "content_dir: content\ncountry: GB\n", name="deploy/../config.yaml")
    monkeypatch.chdir(tmp_path.parent)
    code, out, err = hrbot("match", "--json", "--config", str(path), "narcan how")
    assert code == 0, err
    assert '"entry": "naloxone-how"' in out
    code, out, err = hrbot("check", "--config", str(path.relative_to(tmp_path.parent)))
    assert code == 0, out + err
    assert "error(s)" in err and "content" in err


def test_secret_files_are_read_relative_to_the_config_file(tmp_path: Path) -> None:
    folder = tmp_path / "deploy"
    folder.mkdir()
    path = folder / "config.yaml"
    path.write_text(
        "telegram:\n  token_file: secrets/token\n  webhook_secret_file: /abs/secret\n",
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.telegram.token_file == folder / "secrets" / "token"
    assert config.telegram.webhook_secret_file == Path("/abs/secret")


SEVERAL_MISTAKES = """\
# our bot
country: UK
operater: "Our Service"
matching:
  answer_threshold: 30
  suggest_threshold: 45
telegram:
  mode: webhok
  port: 99999
  concurrent_updates: many
telegarm:
  port: 8080
"""


def test_every_mistake_is_reported_at_once_each_at_its_line_with_what_to_write(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, SEVERAL_MISTAKES)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == [
        f"{path}:2: country: 'UK' is not a country code; did you mean GB (Britain (UK))?",
        f"{path}:3: operater: is not a setting; did you mean 'operator'?",
        f"{path}:6: matching.suggest_threshold: 45 is above answer_threshold (30): "
        '"did you mean" choices are offered below the answer score, so make it lower',
        f"{path}:8: telegram.mode: 'webhok' is not one of 'polling' or 'webhook'; "
        "did you mean 'webhook'?",
        f"{path}:9: telegram.port: 99999 is out of range: use 1 to 65535",
        f"{path}:10: telegram.concurrent_updates: 'many' is not a whole number",
        f"{path}:11: telegarm: is not a setting; did you mean 'telegram'?",
    ]
    message = str(caught.value)
    assert message.startswith(f"{path} has 7 problems")
    assert all(problem in message for problem in caught.value.problems)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("country: Ireland\n", "did you mean IE (Ireland)?"),
        ("country: ZZ\n", "'ZZ' is not a 2-letter ISO country code"),
        ("log_level: info\n", "did you mean 'INFO'?"),
        ("min_review_status: reviewd\n", "did you mean 'reviewed'?"),
        ("matching:\n  answer_thresold: 50\n", "did you mean 'answer_threshold'?"),
        ("telegram:\n  retry_seconds: -1\n", "-1 is out of range: use 0 to 3600"),
        ("telegram:\n  messages_per_second: -1\n", "-1 is too small: use 0 or more"),
        ("telegram:\n  webhook_url: bot.example.org\n", "starting with https://"),
        ("telegram: yes\n", "telegram: "),
        ("monitoring:\n  port: 0\n", "0 is out of range: use 1 to 65535"),
        ("telegram:\n  metrics_port: 9100\n", "has moved: write the port under `monitoring:`"),
    ],
)
def test_a_mistake_says_what_to_write(tmp_path: Path, text: str, hint: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert hint in str(caught.value)


def test_a_real_country_code_is_accepted_in_any_case(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "country: ie\n")).country == "IE"


def test_suggest_above_answer_is_refused_however_the_config_is_made() -> None:
    with pytest.raises(ValueError, match="above answer_threshold"):
        Matching(answer_threshold=30, suggest_threshold=31)
    assert Matching(answer_threshold=30, suggest_threshold=30).suggest_threshold == 30


def test_the_command_line_shows_every_mistake_and_exits_2(tmp_path: Path, hrbot) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, SEVERAL_MISTAKES)
    code, out, err = hrbot("check", "--config", str(path))
    assert code == 2
    for line in (2, 3, 6, 8, 9, 10, 11):
        assert f"{path}:{line}: " in out + err
