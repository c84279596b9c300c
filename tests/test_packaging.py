"""The package ships its content and every subpackage; a service's own folder is layered over
the bundled content and is never written into the package."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from bot import __version__
from bot.content.layers import BUNDLED_CONTENT

ROOT = Path(__file__).resolve().parent.parent

LOCAL_ANSWER = """---
id: naloxone-how
title: Naloxone, our way
area: overdose
summary: Ask at our front desk and we will show you.
examples: [how do i use narcan, naloxone spray how to use, how to give naloxone]
sources:
  - title: Our service's own training notes
    url: https://example.org/training
review: {status: sourced, reviewed_on: 2026-12-01, next_review: 2027-06-01}
---
We show everyone who picks up a kit.
"""


def test_every_package_is_listed_for_the_wheel() -> None:
    """A subpackage missing from pyproject.toml's list would be left out of `pip install .`."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("bot", "handlers")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found | {"bot.bundled"} == listed


def test_the_bundled_content_is_the_package_data() -> None:
    assert (BUNDLED_CONTENT / "en" / "emergency.yaml").exists()
    assert (BUNDLED_CONTENT / "templates" / "answer.html.j2").exists()


def test_version(hrbot) -> None:  # type: ignore[no-untyped-def]
    import pytest

    with pytest.raises(SystemExit) as exit_:
        hrbot("--version")
    assert exit_.value.code == 0
    assert __version__ != "0+unknown"


def test_init_makes_a_folder_that_checks_and_chats(hrbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = hrbot("init", str(tmp_path / "svc"), "--country", "gb", "--operator", "A: B")
    assert code == 0, out
    config = tmp_path / "svc" / "config.yaml"
    text = config.read_text()
    assert "country: GB" in text and 'operator: "A: B"' in text
    code, out, err = hrbot("check", "--config", str(config))
    assert code == 0, out + err
    assert "no files of its own yet" in out
    code, out, _ = hrbot("chat", "--config", str(config), input="my friend wont wake up\n")
    assert code == 0 and "999" in out  # the GB number on the card
    code, _, err = hrbot("init", str(tmp_path / "svc"))
    assert code == 2 and "already exists" in err


def test_a_local_answer_replaces_the_bundled_one_and_check_says_so(hrbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hrbot("init", str(tmp_path / "svc"))
    config = tmp_path / "svc" / "config.yaml"
    # what replaces what is the same for every method; "stems" needs no training on the new
    # answer (tests/test_labelled.py holds that the default method learns local content)
    with config.open("a", encoding="utf-8") as file:
        file.write("\nmatching:\n  method: stems\n")
    mine = tmp_path / "svc" / "content" / "en" / "overdose" / "my-naloxone.md"
    mine.parent.mkdir(parents=True)
    mine.write_text(LOCAL_ANSWER.replace("id: naloxone-how", "id: naloxone-how"))
    # a different file name with the bundled id: the id decides, the file name must match it
    _, out, _ = hrbot("check", "--config", str(config))
    assert "must match the file name" in out
    mine.rename(mine.with_name("naloxone-how.md"))
    code, out, err = hrbot("check", "--config", str(config))
    assert code == 0, out + err
    assert "naloxone-how.md: replaces the bundled" in out
    code, out, _ = hrbot("chat", "--config", str(config), input="how do i use narcan\n")
    assert "Naloxone, our way" in out
    assert (BUNDLED_CONTENT / "en" / "overdose" / "naloxone-how.md").read_text() != LOCAL_ANSWER


def test_local_numbers_replace_one_country_and_keep_the_rest(hrbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hrbot("init", str(tmp_path / "svc"), "--country", "GB")
    numbers = tmp_path / "svc" / "content" / "emergency-numbers.yaml"
    numbers.write_text(
        "GB:\n  name: United Kingdom\n  emergency: '112'\n  sources:\n"
        "    - {title: Ofcom, url: 'https://www.ofcom.org.uk/'}\n  checked_on: 2026-12-01\n"
    )
    config = str(tmp_path / "svc" / "config.yaml")
    _, out, _ = hrbot("chat", "--config", config, input="my friend wont wake up\n")
    assert "112" in out
    _, out, _ = hrbot("chat", "--config", config, input="/emergency\n2\n")
    assert "911" in out  # the other countries are still listed


def test_services_import_never_writes_into_the_package(hrbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    csv = ROOT / "docs" / "examples" / "services.csv"
    code, _, err = hrbot("services", "import", str(csv), "--region", "x", "--country", "GB")
    assert code == 2 and "--out" in err
    hrbot("init", str(tmp_path / "svc"), "--country", "GB")
    config = str(tmp_path / "svc" / "config.yaml")
    hrbot("services", "import", str(csv), "--region", "east", "--timezone", "Europe/London",
          "--config", config)  # fmt: skip
    assert (tmp_path / "svc" / "content" / "services" / "east.yaml").exists()
    assert not (BUNDLED_CONTENT / "services" / "east.yaml").exists()


def test_match_reports_the_services_route_people_get(hrbot) -> None:  # type: ignore[no-untyped-def]
    messages = "needle exchange near me\nmy friend wont wake up\ni want to kill myself\n"
    _, out, _ = hrbot("match", "--json", input=messages)  # one engine, a line each
    services, emergency, crisis = (json.loads(line) for line in out.splitlines())
    assert services["route"] == "services" and services["card"] is None
    assert services["emergency"] is False
    assert emergency["route"] == "emergency" and emergency["card"] == "overdose-now"
    assert crisis["route"] == "crisis" and crisis["emergency"] is True
