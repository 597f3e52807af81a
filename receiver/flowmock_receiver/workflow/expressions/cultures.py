"""The culture data the date and time functions format and parse with: names, designators, separators, patterns.

The service formats with .NET's `DateTimeFormatInfo` for the locale the expression names, `en-US` when it names
none. `en-US` and the invariant culture (locale '') are written out here from .NET's published patterns, since they
are what nearly every flow uses and they must match the service exactly ("D" is "dddd, MMMM d, yyyy" in en-US,
"dddd, dd MMMM yyyy" in the invariant culture). Every other locale is built from CLDR through Babel, which is
what .NET itself does on Linux (it reads ICU's CLDR data and converts the patterns): month and day names match
the service's (`formatDateTime('01/31/2016', 'dddd MMMM d', 'fr-fr')` is 'dimanche janvier 31'), the standard
patterns of those locales may differ in details from the Windows data the cloud service uses.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import babel
from babel.core import UnknownLocaleError


@dataclass(frozen=True, eq=False)
class Culture:
    """What one locale needs: names indexed from Sunday (days) and from January (months), and the patterns.

    Compared and hashed by identity: each culture is built once and cached, and caches key on it.
    """

    name: str
    day_names: tuple[str, ...]
    abbreviated_day_names: tuple[str, ...]
    month_names: tuple[str, ...]
    abbreviated_month_names: tuple[str, ...]
    am: str
    pm: str
    date_separator: str
    time_separator: str
    era: str
    #: Standard format specifier -> custom pattern, for the culture-dependent specifiers.
    patterns: dict[str, str]


_ENGLISH_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _english(name: str, patterns: dict[str, str]) -> Culture:
    return Culture(
        name=name,
        day_names=_ENGLISH_DAYS,
        abbreviated_day_names=tuple(day[:3] for day in _ENGLISH_DAYS),
        month_names=_ENGLISH_MONTHS,
        abbreviated_month_names=tuple(month[:3] for month in _ENGLISH_MONTHS),
        am="AM",
        pm="PM",
        date_separator="/",
        time_separator=":",
        era="A.D.",
        patterns=patterns,
    )


def _composite(
    short_date: str, long_date: str, short_time: str, long_time: str, month_day: str, year_month: str
) -> dict[str, str]:
    """The standard specifiers .NET builds from a culture's six base patterns."""
    return {
        "d": short_date,
        "D": long_date,
        "f": f"{long_date} {short_time}",
        "F": f"{long_date} {long_time}",
        "g": f"{short_date} {short_time}",
        "G": f"{short_date} {long_time}",
        "m": month_day,
        "M": month_day,
        "t": short_time,
        "T": long_time,
        "U": f"{long_date} {long_time}",
        "y": year_month,
        "Y": year_month,
    }


INVARIANT = _english("", _composite("MM/dd/yyyy", "dddd, dd MMMM yyyy", "HH:mm", "HH:mm:ss", "MMMM dd", "yyyy MMMM"))
EN_US = _english("en-US", _composite("M/d/yyyy", "dddd, MMMM d, yyyy", "h:mm tt", "h:mm:ss tt", "MMMM d", "MMMM yyyy"))
DEFAULT = EN_US


class UnknownCulture(ValueError):
    """The locale names no culture that flowmock (through CLDR) knows."""


def culture(name: str | None) -> Culture:
    """The culture for an RFC 4646 name, case-insensitive ('fr-fr', 'fr-FR'); None means the default, en-US."""
    if name is None:
        return DEFAULT
    return _culture(name.strip().lower())


@functools.lru_cache(maxsize=64)
def _culture(key: str) -> Culture:
    if key in ("", "iv", "invariant"):
        return INVARIANT
    if key in ("en-us", "en"):
        return EN_US
    parts = key.replace("_", "-").split("-")
    tag = "_".join([parts[0]] + [part.title() if len(part) == 4 else part.upper() for part in parts[1:]])
    try:
        locale = babel.Locale.parse(tag)
    except (UnknownLocaleError, ValueError) as error:
        raise UnknownCulture(key) from error
    return _from_cldr(key, locale)


def _from_cldr(name: str, locale: babel.Locale) -> Culture:
    days = locale.days["format"]
    months = locale.months["format"]
    periods = locale.day_periods["format"]["abbreviated"]
    # Babel numbers days from Monday (0); .NET from Sunday.
    order = (6, 0, 1, 2, 3, 4, 5)
    short_date = _net_pattern(locale.date_formats["short"].pattern)
    separator = next((char for char in short_date if char in "/.-"), "/")
    skeletons = locale.datetime_skeletons
    return Culture(
        name=name,
        day_names=tuple(days["wide"][index] for index in order),
        abbreviated_day_names=tuple(days["abbreviated"][index] for index in order),
        month_names=tuple(months["wide"][index] for index in range(1, 13)),
        abbreviated_month_names=tuple(months["abbreviated"][index] for index in range(1, 13)),
        am=str(periods.get("am", "AM")),
        pm=str(periods.get("pm", "PM")),
        date_separator=separator,
        time_separator=":",
        era=str(locale.eras["abbreviated"][1]),
        patterns=_composite(
            short_date,
            _net_pattern(locale.date_formats["full"].pattern),
            _net_pattern(locale.time_formats["short"].pattern),
            _net_pattern(locale.time_formats["medium"].pattern),
            _net_pattern(str(skeletons.get("MMMMd", "MMMM d"))),
            _net_pattern(str(skeletons.get("yMMMM", "MMMM y"))),
        ),
    )


def _net_pattern(cldr: str) -> str:
    """Rewrite a CLDR pattern with .NET's letters, as .NET does with ICU data: y -> yyyy, EEEE -> dddd, a -> tt."""
    out: list[str] = []
    index = 0
    while index < len(cldr):
        char = cldr[index]
        if char == "'":
            end = cldr.find("'", index + 1)
            end = len(cldr) - 1 if end == -1 else end
            out.append(cldr[index : end + 1])
            index = end + 1
            continue
        run = 1
        while index + run < len(cldr) and cldr[index + run] == char:
            run += 1
        out.append(_net_letters(char, run))
        index += run
    return "".join(out).strip()


def _net_letters(char: str, run: int) -> str:
    if char == "y":
        return "yy" if run == 2 else "yyyy"
    if char in "Ec":
        return "dddd" if run >= 4 else "ddd"
    if char == "L":
        return "M" * run
    if char in "ab":
        return "tt"
    if char == "k":
        return "H" * run
    if char == "K":
        return "h" * run
    if char in "GzZvVxXO":
        return ""
    return char * run
