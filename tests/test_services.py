"""The services directory end to end in the core: loading, `hrbot check`, and the conversation.

Directories are built in tmp_path. Conversations run on a copy of the bundled content with a
test directory in place of the bundled one, and a frozen clock: Friday 27 November 2026, noon
in London.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from conftest import CHECK_DAY, ROOT, Bot, line_of, make_content
from services_data import (
    DIRECTORY,
    FRIDAY_NOON,
    LONDON,
    engine_for,
    region_text,
    service,
    write_region,
)

from bot.config import BUNDLED_CONTENT, Config
from bot.content.problems import Problem
from bot.conversation.reply import Event, EventKind, Reply
from bot.engine import Engine
from bot.library import load_library
from bot.tools.chat import plain_text, run_chat
from bot.tools.checker import check

TODAY = dt.date(2026, 11, 27)
REGION = "services/test-region.yaml"


# --- hrbot check: each broken directory gives its path:line -----------------------------------


def problems_for(
    tmp_path: Path, services: list[dict[str, Any]], name: str = "tree", **header: Any
) -> tuple[Path, list[Problem]]:
    """`hrbot check` on a small content tree whose only directory is these services."""
    tree = make_content(tmp_path / name, files={REGION: region_text(services, **header)})
    return tree / REGION, check(Config(content_dir=tree), today=TODAY)


def assert_problem(
    problems: list[Problem], path: Path, line: int, fragment: str, is_error: bool = True
) -> None:
    for problem in problems:
        if (
            problem.path == path
            and problem.line == line
            and problem.is_error == is_error
            and fragment.casefold() in str(problem).casefold()
        ):
            assert str(problem).startswith(f"{path}:{line}: ")
            return
    listed = "\n".join(str(p) for p in problems) or "(no problems)"
    raise AssertionError(f"expected {path}:{line}: …{fragment}… in:\n{listed}")


def test_a_valid_directory_has_no_problems(tmp_path: Path) -> None:
    here = {"latitude": LONDON[0], "longitude": LONDON[1]}
    path, problems = problems_for(
        tmp_path, [service("drop-in", hours="Mo-Fr 10:00-17:00; PH off", phone="020 7946 0018",
                          telegram="@example_bot", website="https://example.org/", **here)]
    )  # fmt: skip
    assert [str(p) for p in problems if p.path == path] == []


@pytest.mark.parametrize(
    ("change", "key", "fragment"),
    [
        ({"hours": "Mo-Fr 9-5"}, "hours", "opening_hours syntax"),
        ({"latitude": 151.5, "longitude": -0.1}, "latitude", "less than or equal to 90"),
        ({"latitude": 51.5, "longitude": -200.0}, "longitude", "greater than or equal to -180"),
        ({"phone": "call us"}, "phone", "must be a phone number"),
        ({"telegram": "not a handle"}, "telegram", "telegram username like @example_bot"),
        ({"website": "example dot org"}, "website", "url"),
        ({"verified_on": "last week"}, "verified_on", "date"),
        ({"adress": "1 High Street"}, "adress", "not a known field"),
        ({"types": []}, "types", "at least 1"),
        ({"id": "Drop In"}, "id", "string should match"),
    ],
)
def test_broken_service_fields_point_at_their_line(
    tmp_path: Path, change: dict[str, Any], key: str, fragment: str
) -> None:
    fine = service("fine")
    path, problems = problems_for(tmp_path, [fine, {**service("broken"), **change}])
    line = line_of(path, f"{key}:", occurrence=2 if key in fine else 1)
    assert_problem(problems, path, line, f"services.1.{key}: ")
    assert_problem(problems, path, line, fragment)
    [region] = load_library(path.parent.parent).regions
    assert [x.id for x in region.listings] == ["fine"]  # the rest of the file still loads


def test_half_a_coordinate_and_a_missing_field(tmp_path: Path) -> None:
    path, problems = problems_for(
        tmp_path, [service("no-date", verified_on=None), service("half", latitude=51.5)]
    )
    assert_problem(problems, path, line_of(path, '"no-date"'), "verified_on: is missing")
    assert_problem(problems, path, line_of(path, '"half"'), "latitude and longitude go together")


def test_unknown_type_duplicate_id_and_stale_date(tmp_path: Path) -> None:
    path, problems = problems_for(
        tmp_path,
        [
            service("twice"),
            service("twice", name="Second"),
            service("odd-type", types=["needle-exchange"]),
            service("old", verified_on="2026-05-26"),
            service("recent", verified_on="2026-05-27"),
        ],
    )
    assert_problem(problems, path, line_of(path, '"twice"', occurrence=2), "already used on line")
    assert_problem(
        problems, path, line_of(path, '"needle-exchange"'), "unknown type 'needle-exchange'"
    )
    assert_problem(problems, path, line_of(path, '"2026-05-26"'), "over 6 months", is_error=False)
    assert not any("recent" in str(p) for p in problems)


def test_broken_region_headers(tmp_path: Path) -> None:
    path, problems = problems_for(tmp_path, [service("a")], "zone", timezone="Europe/Londres")
    assert_problem(problems, path, line_of(path, "timezone:"), "not an IANA time zone")
    path, problems = problems_for(tmp_path, [service("a")], "country", country="UK1")
    assert_problem(problems, path, line_of(path, "country:"), "country")
    path, problems = problems_for(tmp_path, [service("a")], "name", region="elsewhere")
    assert_problem(problems, path, line_of(path, "region:"), "must match the file name")


def test_broken_yaml_and_hours_warnings(tmp_path: Path) -> None:
    broken = "region: test-region\nservices:\n  - id: [unclosed\n"
    tree = make_content(tmp_path / "yaml", files={REGION: broken})
    problems = check(Config(content_dir=tree), today=TODAY)
    assert_problem(problems, tree / REGION, 4, "YAML")
    path, problems = problems_for(tmp_path, [service("lower", hours="mo-fr 09:00-17:00")])
    assert_problem(problems, path, line_of(path, "hours:"), "capitalized", is_error=False)


def test_hours_open_from_morning_to_the_small_hours_are_questioned(tmp_path: Path) -> None:
    # "7:30am-4:00pm" once read as 07:30-04:00: valid hours, but nearly always a mistake.
    path, problems = problems_for(
        tmp_path,
        [
            service("clinic", hours="Mo-Fr 07:30-04:00"),
            service("night-shelter", hours="Fr,Sa 22:00-03:00"),
        ],
    )
    clinic = [p for p in problems if "past midnight" in str(p)]
    assert len(clinic) == 1
    assert_problem(problems, path, line_of(path, "Mo-Fr 07:30-04:00"), "4:00pm is 16:00", False)


def test_a_services_list_over_telegrams_length_is_a_warning_naming_the_list(
    tmp_path: Path,
) -> None:
    notes = "Walk in, no appointment, ask at the front desk for the harm reduction team. " * 12
    services = [service(f"long-{i}", areas=["Hackney"], notes=notes[:990]) for i in range(5)]
    services.append(service("short", areas=["Camden"]))
    tree = make_content(tmp_path / "long", files={REGION: region_text(services)})
    problems = check(Config(content_dir=tree), today=TODAY)
    long = [p for p in problems if "as Telegram counts them" in str(p)]
    assert [p.is_error for p in long] == [False]
    assert long[0].path == tree / REGION
    assert "services reply for " in str(long[0]) and " · Hackney is " in str(long[0])
    assert "sent in 2 messages" in str(long[0])


def test_finder_yaml_must_name_real_types_and_answers(content: Callable[..., Path]) -> None:
    routing = (
        "places: [near me]\n"
        "types:\n"
        "  teleporting:\n"
        "    answer: naloxone-how\n"
        "    phrases: [beam me]\n"
        "  naloxone:\n"
        "    answer: no-such-answer\n"
        "    phrases: [naloxone]\n"
    )
    tree = content(files={"en/finder.yaml": routing})
    problems = check(Config(content_dir=tree), today=TODAY)
    path = tree / "en/finder.yaml"
    assert_problem(problems, path, 3, "'teleporting' is not in service_types")
    assert_problem(problems, path, 7, "no answer has the id 'no-such-answer'")


def test_the_bundled_national_lines_pass(bundled_problems: list[Problem]) -> None:
    problems = bundled_problems  # check(Config(), today=CHECK_DAY), shared
    assert TODAY == CHECK_DAY
    folder = BUNDLED_CONTENT / "services"
    assert [str(p) for p in problems if p.path.is_relative_to(folder) and p.is_error] == []
    assert len(load_library(BUNDLED_CONTENT).regions) == 5


# --- the conversation -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def london(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return engine_for(tmp_path_factory.mktemp("london"), DIRECTORY)


def labels(reply: Reply) -> list[str]:
    return [button.label for button in reply.button_list]


def test_services_type_area_results_and_more(london: Engine) -> None:
    bot = Bot(london)
    menu = bot.say("/services")
    assert "💉 Needles & syringes" in labels(menu) and "🧪 Drug checking" in labels(menu)
    assert menu.request_location and menu.location_button == "📍 Send my location"
    kind = bot.press("💉 Needles & syringes")
    assert labels(kind)[:2] == ["Camden", "Hackney"]
    assert kind.request_location and "send your location" in kind.html
    assert kind.entry_id == "new-equipment" and "ℹ️ New gear every time" in labels(kind)
    first = bot.press("Camden")
    assert "Camden" in first.html and "(1–5 of 8)" in first.html
    assert first.html.count("🟢 open now · closes 17:00") == 5
    assert "Secret Place" not in first.html
    more = bot.press("➕ More")
    assert "(6–8 of 8)" in more.html
    assert more.html.count("🟢 open now · closes 17:00") == 2
    assert "🔴 closed · opens Sat 10:00" in more.html  # closed ones last
    assert "➕ More" not in labels(more)
    for reply in (menu, kind, first, more):
        assert all(len(b.data.encode()) <= 64 for b in reply.button_list)
    back = bot.press("⬅️ Back")
    assert labels(back)[:2] == ["Camden", "Hackney"]


def test_results_show_the_details_people_need(london: Engine) -> None:
    bot = Bot(london)
    bot.push_button("s:syringe-services:hackney")
    reply = bot.pop()
    assert "🟢 open 24/7" in reply.html
    assert 'href="https://www.openstreetmap.org/?mlat=51.54500&amp;mlon=-0.05500' in reply.html
    assert "checked November 2026" in reply.html


def test_a_location_gets_the_nearest_of_every_type(london: Engine) -> None:
    lat, lon = 51.50723, -0.12761  # a person's position: must not be echoed or kept
    reply = london.handle(Event(EventKind.LOCATION, latitude=lat, longitude=lon, language="en"))
    assert "Nearest to you" in reply.html and "kept nothing" in reply.html
    # camden-00 is 0.00997° of latitude north: 0.00997 × 111.195 = 1.109 km = 0.69 miles, and
    # road distances in the UK are in miles
    assert "<b>Camden 00</b>\n🟢 open now · closes 17:00\n📍 0 Camden High Street · 0.7 mi" in (
        reply.html
    )
    assert "<b>Checking</b>" in reply.html  # the nearest drug checking, though further away
    assert "Secret Place" not in reply.html
    assert "🧪 Drug checking" in labels(reply)
    assert "s:drug-checking:camden" in [b.data for b in reply.button_list]
    assert f"{lat}" not in reply.html and f"{lon}" not in reply.html
    for engine_part in (london, *london.languages.values(), london.languages["en"].services):
        assert lat not in vars(engine_part).values() and lon not in vars(engine_part).values()


@pytest.mark.parametrize(
    ("country", "timezone", "closes", "distance"),
    [
        ("US", "America/New_York", "closes 4:00\u202fPM", "· 0.7 mi"),  # 12-hour clock, miles
        ("IE", "Europe/Dublin", "closes 16:00", "· 1.1 km"),
    ],
)
def test_times_and_distances_are_written_as_people_read_them_there(
    tmp_path: Path, country: str, timezone: str, closes: str, distance: str
) -> None:
    here = (25.5517, -81.7800)
    clinic = service(
        "clinic", areas=["Key West"], hours="Mo-Fr 09:00-16:00", address="1 Duval Street",
        latitude=round(here[0] + 0.00997, 5), longitude=here[1],
    )  # fmt: skip
    noon = dt.datetime(2026, 11, 27, 12, 0, tzinfo=ZoneInfo(timezone))
    engine = engine_for(
        tmp_path, [clinic], country=country, national=False, now=noon,
        timezone=timezone,
    )  # fmt: skip
    reply = engine.handle(Event(EventKind.LOCATION, latitude=here[0], longitude=here[1]))
    assert f"🟢 open now · {closes}\n📍 1 Duval Street {distance}" in reply.html


def _with_postcodes(engine_dir: Path, rows: str) -> Engine:
    (engine_dir / "services" / "postcodes.csv").write_text(
        "postcode,latitude,longitude\n" + rows, encoding="utf-8"
    )
    config = Config(content_dir=engine_dir, country="GB")
    return Engine(load_library(engine_dir), config, clock=lambda: FRIDAY_NOON)


def test_a_postcode_typed_in_a_message_gets_the_nearest_of_that_type(tmp_path: Path) -> None:
    engine_for(tmp_path, DIRECTORY)  # writes tmp_path/content
    engine = _with_postcodes(
        tmp_path / "content", "E8 1HY,51.5446,-0.0557\nNW1 7JE,51.5416,-0.1458\n"
    )
    reply = engine.handle(Event(EventKind.TEXT, text="is there a needle exchange near E8 1HY"))
    assert reply.route == "services"
    assert reply.html.startswith("<b>Near E8 1HY</b>")
    names = re.findall(r"<b>([^<]+)</b>\n", reply.html)[1:]
    assert names[0] == "Hackney Ssp"  # 0.0 mi from E8 1HY; Camden's are 4-5 mi west
    assert "kept nothing" not in reply.html  # nothing was shared
    # no place phrase is needed when the postcode is listed; an unlisted one is no place
    assert engine.read("needle exchange nw1 7je").route.value == "services"
    assert engine.read("needle exchange nw1 7je").place is not None
    assert engine.read("needle exchange ZZ9 9ZZ").place is None


def test_an_area_named_in_a_message_gets_that_areas_list(london: Engine) -> None:
    reply = london.handle(Event(EventKind.TEXT, text="wheres the needle exchange in hackney"))
    assert reply.html.startswith("<b>💉 Needles &amp; syringes · Hackney</b>")
    assert "Hackney Ssp" in reply.html and "Camden 00" not in reply.html
    # an area that has none of that type: the type's own areas to pick from
    checking = london.handle(Event(EventKind.TEXT, text="drug checking in hackney?"))
    assert "Hackney Ssp" not in checking.html


def test_a_location_with_nothing_near_is_said_honestly(london: Engine) -> None:
    reply = london.handle(Event(EventKind.LOCATION, latitude=55.95, longitude=-3.19))
    assert "no services listed within 62 mi" in reply.html
    assert "Samaritans" in reply.html  # GB's national lines instead


def test_free_text_asking_for_a_place_goes_to_the_finder(london: Engine) -> None:
    bot = Bot(london)
    needles = bot.say("needle exchange near me")
    assert needles.entry_id == "new-equipment"
    assert labels(needles)[:2] == ["Camden", "Hackney"]
    assert "a:new-equipment" in [b.data for b in needles.button_list]
    checking = bot.say("drug checking near me")
    assert checking.entry_id == "drug-checking"
    assert labels(checking)[:2] == ["Camden", "United Kingdom"]  # with WEDINOS, by post
    assert "🔴 closed · opens Wed 16:00" in bot.press("Camden").html
    assert bot.say("where can i get narcan").entry_id == "naloxone-get"
    assert bot.say("harm reduction near me").html == bot.say("/services").html
    # emergencies and declined requests first, answers otherwise
    card = bot.say("my friend wont wake up where can i get narcan")
    assert card.emergency and card.entry_id == "overdose-now"
    declined = bot.say("where can i buy heroin near me")
    assert declined.entry_id is None and "can't help with buying" in plain_text(declined.html)
    assert bot.say("how do i use narcan").entry_id == "naloxone-how"


def test_an_entry_with_its_own_answer_looks_up_the_type_it_names(london: Engine) -> None:
    """finder.yaml's test-strips entry finds the drug checking services (kind: drug-checking)
    but links to the test strips answer; drug checking keeps its own answer and button."""
    bot = Bot(london)
    strips = bot.say("where can i get fentanyl test strips near me")
    checking = bot.say("drug checking near me")
    assert strips.entry_id == "fentanyl-test-strips"
    assert "a:fentanyl-test-strips" in [b.data for b in strips.button_list]
    assert labels(strips)[:2] == labels(checking)[:2] == ["Camden", "United Kingdom"]
    assert checking.entry_id == "drug-checking"


def test_no_directory_for_a_need_says_so_and_shows_national_lines(london: Engine) -> None:
    reply = Bot(london).say("methadone clinic")
    assert reply.entry_id == "treatment-options"
    text = plain_text(reply.html)
    assert "I don't have any local services listed for this yet" in text
    assert "These national lines can help" in text
    # Only the lines for this need: treatment finders and drug helplines, not every line.
    assert "FRANK - find support near you" in reply.html and "FRANK" in reply.html
    for other in ("Samaritans", "Shout 85258", "WEDINOS"):
        assert other not in reply.html
    assert "a:treatment-options" in [b.data for b in reply.button_list]


def test_with_no_local_naloxone_the_fallback_is_lines_that_help_get_it(tmp_path: Path) -> None:
    engine = engine_for(tmp_path, [], country="GB")
    reply = Bot(engine).say("where can i get naloxone")
    national = yaml.safe_load((BUNDLED_CONTENT / "services/gb-national.yaml").read_text())
    helplines = [s["name"] for s in national["services"] if "helpline" in s["types"]]
    unrelated = [
        s["name"]
        for s in national["services"]
        if not {"naloxone", "helpline", "syringe-services"} & set(s["types"])
    ]
    assert helplines and unrelated
    assert all(name in reply.html for name in helplines)
    assert not any(f"<b>{name}</b>" in reply.html for name in unrelated), unrelated


def test_without_a_country_there_are_no_national_lines(tmp_path: Path) -> None:
    engine = engine_for(tmp_path, [], country=None, national=False)
    reply = Bot(engine).say("/services")
    assert "I don't have a list of local services" in plain_text(reply.html)
    assert "n" in [b.data for b in reply.button_list]  # the numbers by country instead
    reply = Bot(engine).say("needle exchange near me")
    assert "I don't have any local services listed" in plain_text(reply.html)


def test_the_deployment_shows_only_its_countrys_files(tmp_path: Path) -> None:
    elsewhere = write_region(tmp_path / "other", [service("dublin-ssp", areas=["Dublin"])],
                             region="dublin", country="IE", timezone="Europe/Dublin")  # fmt: skip
    engine = engine_for(tmp_path / "gb", DIRECTORY[:1])
    shutil.copy(elsewhere, engine.config.content_dir / "services")
    gb = Engine(load_library(engine.config.content_dir), engine.config, clock=lambda: FRIDAY_NOON)
    assert "Dublin" not in labels(Bot(gb).say("needle exchange near me"))
    every = Engine(load_library(engine.config.content_dir), Config(
        content_dir=engine.config.content_dir), clock=lambda: FRIDAY_NOON)  # fmt: skip
    assert "Dublin" in labels(Bot(every).say("needle exchange near me"))


def test_old_or_broken_buttons_lead_back_in(london: Engine) -> None:
    bot = Bot(london)
    for data in ("s:no-such-type", "s:syringe-services:nowhere", "s:syringe-services:camden:x",
                 "s:syringe-services:camden:99", "s::", "s"):  # fmt: skip
        bot.push_button(data)
        reply = bot.pop()
        assert reply.buttons, data


def test_chat_location_command(london: Engine) -> None:
    script = "/services\n1\n/location 51.5172 -0.1276\n/location nowhere\n"
    out = io.StringIO()
    assert run_chat(london, io.StringIO(script), out, language="en") == 0
    text = out.getvalue()
    assert "[📍 Send my location] type /location LATITUDE LONGITUDE" in text
    assert "Nearest to you" in text and "0.0 mi" in text


def test_routing_agrees_with_the_labelled_messages(engine: Engine) -> None:
    """Every labelled message the finder takes links to an answer the label accepts."""
    english = engine.language("en")
    items = yaml.safe_load((ROOT / "tests/eval/en.yaml").read_text(encoding="utf-8"))
    routed = 0
    for item in items:
        text = item["text"]
        need = english.read(text).need
        if need is not None:
            routed += 1
            assert need.answer in (item.get("expect") or []), text
    assert routed >= 10


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("just moved here, where do i get clean pins from round here", "new-equipment"),
        ("is there a methadone clinic in town taking on new people", "treatment-options"),
        ("can you find me a detox, i want to stop", "treatment-options"),
        ("where should i go to get narcan", "naloxone-get"),
        ("where can i get tested for hep c, shared works last year", "bbv-testing"),
        ("where can i get a reagent test kit", "reagent-tests"),
        ("is anywhere open late where i can get clean pins", "new-equipment"),
        ("some place in leeds to check my pills before saturday", "drug-checking"),
        ("where in town can i get narcan", "naloxone-get"),
        ("any safe injecting rooms round here", "supervised-consumption"),
        ("want to get on subs, who do i even ring", "treatment-options"),
        ("where can i pick up clean pins on a saturday", "new-equipment"),
        ("anywhere in town i can get my fentanyl checked before i use", "drug-checking"),
    ],
)
def test_a_place_asked_for_in_other_words_opens_the_finder(
    engine: Engine, text: str, answer: str
) -> None:
    reading = engine.read(text)
    assert reading.route.value == "services" and reading.shown == answer, reading
