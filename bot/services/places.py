"""Placing services and messages on the map without a network: postcode and ZIP centroids.

A directory often has a postcode and no coordinates, and a person may type "near E8 1HY"
instead of sharing a location. Both need the postcode's centre. Postcode data is not something
a package can ship for every country (pgeocode and uszipcode download theirs at run time, and
the bot makes no outside calls), so the service supplies the table it has: the ONS Postcode
Directory, a US ZIP centroid file, or its own few lines, saved as `services/postcodes.csv` in
its folder with the columns `postcode,latitude,longitude` (`zip`, `lat` and `lon` also work).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.content.problems import Problem, error

if TYPE_CHECKING:
    from collections.abc import Mapping

FILE_NAME = "postcodes.csv"
_GB = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b")
_ZIP = re.compile(r"(?<![0-9])([0-9]{5})(?:-[0-9]{4})?(?![0-9])")
_OTHER = re.compile(r"\b(?=[A-Z0-9 -]*[0-9])[A-Z0-9][A-Z0-9 -]{2,8}[A-Z0-9]\b")
_CODE_COLUMNS = ("postcode", "postal_code", "zip", "zipcode", "zip_code", "pcds", "pcd")
_LAT_COLUMNS = ("latitude", "lat")
_LON_COLUMNS = ("longitude", "lon", "lng", "long")


@dataclass(frozen=True)
class Centre:
    latitude: float
    longitude: float


def key(code: str) -> str:
    """A postcode as looked up: capitals, no spaces ("e8 1hy" → "E81HY")."""
    return re.sub(r"[^A-Z0-9]", "", code.upper())


class Centroids:
    """Postcode → its centre; full postcodes first, then the district ("E8") when listed."""

    def __init__(self, table: dict[str, Centre]) -> None:
        self._table = table

    def __len__(self) -> int:
        return len(self._table)

    def get(self, code: str) -> Centre | None:
        return self._table.get(key(code))

    def codes_in(self, text: str) -> list[str]:
        """Postcode-shaped parts of a text, most specific first."""
        upper = text.upper()
        found: list[str] = []
        for match in _GB.finditer(upper):
            found += [match.group(1) + match.group(2), match.group(1)]
        found += [match.group(1) for match in _ZIP.finditer(upper)]
        found += [key(match.group()) for match in _OTHER.finditer(upper)]
        return list(dict.fromkeys(found))

    def find_in(self, text: str) -> Centre | None:
        """The centre of the first listed postcode in a text (an address, a message)."""
        for code in self.codes_in(text):
            centre = self._table.get(key(code))
            if centre is not None:
                return centre
        return None


def read_centroids(path: Path) -> tuple[Centroids | None, list[Problem]]:
    """The service's postcode table; problems name the file and line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [error(path, 0, f"cannot be read ({exc}); save it as CSV UTF-8")]
    reader = csv.reader(io.StringIO(text))
    header = [name.strip().casefold() for name in next(reader, [])]
    columns = [_column(header, names) for names in (_CODE_COLUMNS, _LAT_COLUMNS, _LON_COLUMNS)]
    if None in columns:
        message = "the header needs postcode, latitude and longitude columns"
        return None, [error(path, 1, message)]
    code_at, lat_at, lon_at = (index for index in columns if index is not None)
    table: dict[str, Centre] = {}
    problems: list[Problem] = []
    for row in reader:
        if not row or len(row) <= max(code_at, lat_at, lon_at):
            continue
        try:
            latitude, longitude = float(row[lat_at]), float(row[lon_at])
        except ValueError:
            if len(problems) < 20:
                problems.append(
                    error(path, reader.line_num, "latitude and longitude must be numbers")
                )
            continue
        if -90 <= latitude <= 90 and -180 <= longitude <= 180:
            table[key(row[code_at])] = Centre(latitude, longitude)
    return Centroids(table), problems


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    return next((header.index(name) for name in names if name in header), None)


# --- a place typed in a message ---------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where a message asks about: a listed postcode's centre, or one of the directory's areas.

    Lives in the reading of one message only, like a shared location.
    """

    label: str  # as the reply names it: "E8 1HY", "Key West"
    centre: Centre | None = None
    area: str | None = None  # an area slug of the directory


_WORD = re.compile(r"[^\w]+")
_MIN_AREA_LENGTH = 3


class PlaceFinder:
    """Finds a postcode (from the service's table) or an area name in a message.

    Area names are matched as whole words, longest first ("North Miami" before "Miami"); a
    name under three letters is never looked for. Postcodes come first: they are exact.
    """

    def __init__(self, centroids: Centroids | None, areas: Mapping[str, str]) -> None:
        self._centroids = centroids
        names = [(_words(name), slug, name) for slug, name in areas.items()]
        self._areas = sorted(
            ((words, slug, name) for words, slug, name in names if len(words) >= _MIN_AREA_LENGTH),
            key=lambda item: -len(item[0]),
        )

    def __bool__(self) -> bool:
        return bool(self._centroids) or bool(self._areas)

    def find(self, text: str) -> Place | None:
        if self._centroids is not None:
            for code in self._centroids.codes_in(text):
                centre = self._centroids.get(code)
                if centre is not None:
                    return Place(_shown(code), centre=centre)
        padded = f" {_words(text)} "
        for words, slug, name in self._areas:
            if f" {words} " in padded:
                return Place(name, area=slug)
        return None


def _words(text: str) -> str:
    """Lower-case words joined by single spaces ("St. Mary's" → "st mary s")."""
    return " ".join(_WORD.sub(" ", text.casefold()).split())


def _shown(code: str) -> str:
    """A postcode as people write it: "E81HY" → "E8 1HY"; ZIPs and districts as they are."""
    found = _GB.fullmatch(code)
    return f"{found.group(1)} {found.group(2)}" if found else code
