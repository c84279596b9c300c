"""`hrbot preview`: a site of every reply that opens from disk, checked as files and in Chromium.

The browser test needs Chromium from the system packages (`apt-get install chromium`) and the
playwright package (the `test` extra); without either it is skipped and says why.
"""

from __future__ import annotations

import html.parser
import io
import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from bot.config import Config
from bot.engine import Engine
from bot.tools.preview import PreviewError, build

CHROMIUM = os.environ.get("HRBOT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _Links(html.parser.HTMLParser):
    """Every link, asset and element id of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.assets: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        if tag in ("link", "script", "img", "iframe") and (found.get("href") or found.get("src")):
            self.assets.append(str(found.get("href") or found.get("src")))


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("preview") / "site"
    build(Config(country="GB", operator="Example Outreach"), out)
    return out


def test_every_served_answer_has_a_page(site: Path, engine: Engine) -> None:
    pages = {path.stem for path in (site / "answers").glob("*.html")}
    assert pages == set(engine.language("en").entries)
    index = (site / "index.html").read_text(encoding="utf-8")
    for entry in engine.language("en").entries.values():
        assert f'href="answers/{entry.id}.html"' in index


def test_every_local_link_resolves_and_nothing_comes_from_outside(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    parsed = {page: _parse(page) for page in pages}
    checked = 0
    for page, found in parsed.items():
        for asset in found.assets:
            assert not urlsplit(asset).scheme, f"{page}: outside asset {asset}"
            assert (page.parent / asset).resolve().is_file(), f"{page}: missing {asset}"
        for link in found.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https"):
                continue  # sources and service websites: the person's browser, not the site's
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            assert target.is_file(), f"{page.relative_to(site)}: broken link {link}"
            if parts.fragment:
                ids = parsed[target].ids
                assert parts.fragment in ids, f"{page.relative_to(site)}: no #{parts.fragment}"
            checked += 1
    assert checked > 1000  # every button of every reply is a link


def test_an_answer_page_shows_the_reply_its_sources_review_and_test_messages(
    site: Path, engine: Engine
) -> None:
    page = (site / "answers" / "naloxone-how.html").read_text(encoding="utf-8")
    reply = engine.language("en").answer("naloxone-how")
    assert "How to give naloxone" in page
    assert reply.html.split("\n")[0] in page  # the engine's own reply, drawn as a bubble
    assert 'href="../answers/naloxone-how.html#more"' in page and 'id="more"' in page
    assert "https://www.cdc.gov/stop-overdose/caring/naloxone.html" in page
    assert "next review</th><td>2027-06-01" in page
    reaches = page.split("Reach this answer (")[1].split(")")[0]
    assert int(reaches) > 0
    assert "en.yaml, en-unseen.yaml" in page
    assert "en-people-test" not in page


def test_cards_for_every_country_and_the_other_pages(site: Path, engine: Engine) -> None:
    cards = (site / "cards.html").read_text(encoding="utf-8")
    language = engine.language("en")
    for code in language.numbers.countries:
        assert f'id="{code}"' in cards
    assert "999" in cards and "911" in cards and "112" in cards  # GB, US, EU numbers filled in
    services = (site / "services.html").read_text(encoding="utf-8")
    assert services.count('class="reply"') > 5
    assert "The services menu" in services
    review = (site / "review.html").read_text(encoding="utf-8")
    assert review.count("<tr") == len(language.entries) + 1
    check = (site / "check.html").read_text(encoding="utf-8")
    assert "Everything <code>hrbot check</code> reports" in check
    assert (site / "mixes.html").read_text(encoding="utf-8").count('class="reply"') > 100


def test_a_frozen_test_set_is_refused(tmp_path: Path) -> None:
    frozen = tmp_path / "en-people-test.yaml"
    frozen.write_text("- text: hi\n  expect: []\n", encoding="utf-8")
    with pytest.raises(PreviewError, match="frozen test set"):
        build(Config(), tmp_path / "site", sets=[frozen])


def test_a_folder_with_other_files_is_not_overwritten(tmp_path: Path, hrbot) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = hrbot("preview", "--out", str(tmp_path), "--messages", "/dev/null")
    assert code == 2 and "has other files in it" in err
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def _non_blank(png: bytes) -> int:
    """How many distinct colours a screenshot has (a blank page has one)."""
    image = pytest.importorskip("PIL.Image", reason="Pillow (the test extra) is not installed")
    with image.open(io.BytesIO(png)) as picture:
        colours = picture.convert("RGB").getcolors(maxcolors=1_000_000)
    return len(colours or [])


def test_chromium_renders_the_site_offline(site: Path, tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium (CI does)")
    sync = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'"
    )
    requested: list[str] = []
    with sync.sync_playwright() as driver:
        browser = driver.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh profile
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": 1100, "height": 1300},
        )
        try:
            page = browser.new_page()
            page.on("request", lambda request: requested.append(request.url))
            page.goto((site / "index.html").as_uri())
            page.screenshot(path=str(tmp_path / "index.png"))
            page.fill("#q", "narcan spray")
            page.wait_for_selector("#results li a")
            found = page.locator("#results li a").all_inner_texts()
            assert "How to give naloxone" in found
            page.fill("#q", "zzzz nothing like this")
            assert "No answer has all of these words." in page.inner_text("#results")
            page.goto((site / "answers" / "naloxone-how.html").as_uri())
            page.screenshot(path=str(tmp_path / "answer.png"), full_page=True)
            assert "Spray one dose up one nostril" in page.inner_text(".bubble.bot")
            page.click("a.button[href$='naloxone-how.html#more']")
            assert page.url.endswith("naloxone-how.html#more")
            page.click("a.button[href$='answers/overdose-now.html'] >> nth=0")
            assert "Someone is overdosing" in page.inner_text("h1")
        finally:
            browser.close()
    for shot in ("index.png", "answer.png"):
        assert _non_blank((tmp_path / shot).read_bytes()) > 20, f"{shot} is blank"
    assert requested and all(url.startswith("file://") for url in requested), requested
