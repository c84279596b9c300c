"""Times and distances written the way people read them where the service is.

"closes 4:00 PM · 0.6 mi" in the US, "closes 16:00 · 1 km" in Ireland. The clock comes from
the CLDR locale data in Babel for the language and the deployment's country; the distance unit
from CLDR's measurement data, which Babel does not expose, so the few countries that give road
distances in miles are listed here.
"""

from __future__ import annotations

import datetime as dt

from babel import Locale, UnknownLocaleError
from babel.dates import format_time
from babel.units import format_unit

# CLDR supplemental measurementData: the US system in the US, Liberia and Myanmar, the UK one
# (miles on the road) in the United Kingdom.
MILES_COUNTRIES = frozenset({"US", "LR", "MM", "GB"})
KM_PER_MILE = 1.609344


class LocalFormats:
    """Formats for one language in one country (or the language alone, with no country)."""

    def __init__(self, language: str, country: str | None) -> None:
        self.miles = country is not None and country.upper() in MILES_COUNTRIES
        self.locale = _locale(language, country)
        self.country = country

    def time(self, value: dt.time | dt.datetime) -> str:
        """ "16:00" or "4:00 PM", as the country writes a short time; 24-hour with no country
        (a clock nobody misreads)."""
        if self.country is None:
            return value.strftime("%H:%M")
        return format_time(value, "short", locale=self.locale)

    def distance(self, km: float) -> str:
        """ "0.6 mi" or "1.2 km": one decimal under 10, whole numbers above."""
        amount = km / KM_PER_MILE if self.miles else km
        pattern = "0.0" if amount < 10 else "0"
        unit = "length-mile" if self.miles else "length-kilometer"
        return format_unit(amount, unit, "short", format=pattern, locale=self.locale)


def _locale(language: str, country: str | None) -> Locale:
    """The language as written in the country; with no country (or one Babel doesn't pair with
    the language), the language alone."""
    for tag in [f"{language}_{country.upper()}"] if country else []:
        try:
            return Locale.parse(tag)
        except (UnknownLocaleError, ValueError):
            pass
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")
