"""`hrbot qr`: the codes read back as the deep links they should hold, in PNG and SVG."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import segno
import zxingcpp
from PIL import Image

from bot.tools.cli import main


def read_png(path: Path) -> list[str]:
    """What a camera reads from the image (zxing-cpp, as many phone apps use)."""
    return [result.text for result in zxingcpp.read_barcodes(Image.open(path))]


def svg_matrix(path: Path) -> list[list[int]]:
    """The dark modules of segno's SVG path ("M4 4.5h7m2 0h3…"), as rows of 0 and 1."""
    svg = path.read_text(encoding="utf-8")
    width = re.search(r'width="(\d+)"', svg)
    drawn = re.search(r' d="([^"]+)"', svg)
    assert width is not None and drawn is not None
    size = int(width.group(1)) // 10  # the CLI draws SVG at 10 units a module
    rows = [[0] * size for _ in range(size)]
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", drawn.group(1)):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:  # h: a line of dark modules
            for column in range(int(x), int(x + float(a))):
                rows[int(y)][column] = 1
            x += float(a)
    return [row[4:-4] for row in rows[4:-4]]  # without the quiet zone


@pytest.mark.parametrize(
    ("target", "url"),
    [
        ("naloxone-how", "https://t.me/hr_test_bot?start=naloxone-how"),
        ("services", "https://t.me/hr_test_bot?start=services"),
        ("card", "https://t.me/hr_test_bot?start=card"),
        ("start", "https://t.me/hr_test_bot"),
    ],
)
def test_the_png_reads_back_as_the_deep_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str, url: str
) -> None:
    out = tmp_path / "flyer.png"
    assert main(["qr", target, "--bot", "@hr_test_bot", "--out", str(out)]) == 0
    assert read_png(out) == [url]
    assert url in capsys.readouterr().out


def test_the_svg_has_the_modules_of_the_link(tmp_path: Path) -> None:
    out = tmp_path / "poster.svg"  # the format follows the file's ending
    assert main(["qr", "naloxone-how", "--bot", "hr_test_bot", "--out", str(out)]) == 0
    url = "https://t.me/hr_test_bot?start=naloxone-how"
    expected = segno.make(url, error="q", micro=False).matrix
    assert svg_matrix(out) == [list(row) for row in expected]
    assert f"<title>{url}</title>" in out.read_text(encoding="utf-8")


def test_the_username_comes_from_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("telegram:\n  bot_username: HarmReductionTestBot\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["qr", "start", "--config", str(config)]) == 0
    assert read_png(tmp_path / "qr-start.png") == ["https://t.me/HarmReductionTestBot"]


def test_an_unknown_answer_names_the_close_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.png"
    assert main(["qr", "naloxon-how", "--bot", "hr_test_bot", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no answer 'naloxon-how'" in err and "naloxone-how" in err
    assert not out.exists()


def test_without_a_username_it_says_where_to_give_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qr", "services"]) == 2
    err = capsys.readouterr().err
    assert "--bot" in err and "telegram.bot_username" in err
    assert main(["qr", "services", "--bot", "no spaces"]) == 2
    assert "not a Telegram username" in capsys.readouterr().err
