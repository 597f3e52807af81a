""".NET date and time format strings: formatting (`DateTime.ToString`) and exact parsing (`DateTime.ParseExact`).

The service hands every `format` argument to .NET, so flowmock must read .NET's format language: one-letter
standard specifiers ("o", "D", "u", ...) that stand for a culture's pattern, and custom patterns built from
letter runs ("yyyy-MM-dd", "dddd MMMM d", "hh:mm tt"), quoted literals, backslash escapes and "%" for a lone
letter. No Python library speaks this language: `strftime` uses %-directives and has no seventh fractional digit,
Babel and Arrow implement CLDR/Moment patterns, whose letters mean other things ("D" is day-of-year there,
"a" the AM/PM marker), so the rules are written here, from .NET's documented behaviour:

- a one-character format is always a standard specifier, and an unknown one is an error; longer ones are custom;
- "f" runs print truncated fractions (at most seven), "F" runs drop trailing zeros and, when nothing is left,
  the "." right before them;
- "z" is the offset of the machine's zone, which for the service is UTC ("+00:00"), whatever the timestamp says;
  "K" is "Z" for a UTC timestamp, "" for one without an offset;
- ":" and "/" are the culture's time and date separators; any other unreserved character is copied.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from dataclasses import dataclass

from .cultures import INVARIANT, Culture
from .net_datetime import TICKS_PER_SECOND, Kind, NetDateTime

FIELD_LETTERS = frozenset("dfFghHKmMstyz")
MAX_FRACTION_DIGITS = 7
ROUND_TRIP = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK"
#: Culture-independent standard specifiers, always formatted with the invariant culture.
_INVARIANT_STANDARD = {
    "o": ROUND_TRIP,
    "O": ROUND_TRIP,
    "r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "R": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
    "u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
}


class InvalidFormat(ValueError):
    """The format string is not one .NET accepts (unknown standard specifier, unclosed quote, 8 "f"s, ...)."""


@dataclass(frozen=True)
class Field:
    """A run of one format letter (or a ":" / "/" separator): `letter` repeated `count` times."""

    letter: str
    count: int


Token = Field | str


@functools.lru_cache(maxsize=256)
def tokenize(pattern: str) -> tuple[Token, ...]:
    """Split a custom pattern into fields and literal strings, raising `InvalidFormat` where .NET would."""
    tokens: list[Token] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char in "'\"":
            literal, index = _quoted(pattern, index)
            tokens.append(literal)
        elif char == "\\":
            if index + 1 >= len(pattern):
                raise InvalidFormat("a format string cannot end with an escape character")
            tokens.append(pattern[index + 1])
            index += 2
        elif char == "%":
            if index + 1 >= len(pattern) or pattern[index + 1] == "%":
                raise InvalidFormat("'%' must be followed by a single format letter")
            index += 1
        elif char in FIELD_LETTERS:
            run = 1
            if char != "K":
                while index + run < len(pattern) and pattern[index + run] == char:
                    run += 1
            if char in "fF" and run > MAX_FRACTION_DIGITS:
                raise InvalidFormat(f"'{char * run}' asks for more than seven fractional digits")
            tokens.append(Field(char, run))
            index += run
        elif char in ":/":
            tokens.append(Field(char, 1))
            index += 1
        else:
            tokens.append(char)
            index += 1
    return tuple(tokens)


def _quoted(pattern: str, start: int) -> tuple[str, int]:
    quote = pattern[start]
    out: list[str] = []
    index = start + 1
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            out.append(pattern[index + 1])
            index += 2
            continue
        if char == quote:
            return "".join(out), index + 1
        out.append(char)
        index += 1
    raise InvalidFormat(f"cannot find a matching quote character for the character '{quote}'")


def expand(format_string: str, culture: Culture) -> tuple[str, Culture, bool]:
    """The custom pattern a format string stands for, the culture to format it with, and whether to use UTC first.

    A one-character string is a standard specifier; "U" formats the universal time with the "F" pattern.
    """
    if len(format_string) != 1:
        return format_string, culture, False
    if format_string in _INVARIANT_STANDARD:
        return _INVARIANT_STANDARD[format_string], INVARIANT, False
    if format_string in culture.patterns:
        return culture.patterns[format_string], culture, format_string == "U"
    raise InvalidFormat(f"'{format_string}' is not a standard date and time format specifier")


def format_datetime(value: NetDateTime, format_string: str, culture: Culture) -> str:
    """`DateTime.ToString(format, culture)`; raises `InvalidFormat` for a format .NET rejects."""
    if format_string in ("o", "O"):
        return _round_trip(value)
    pattern, culture, universal = expand(format_string, culture)
    if universal:
        value = value.with_kind(Kind.UTC)
    calendar = value.to_datetime()
    out: list[str] = []
    for token in tokenize(pattern):
        if isinstance(token, str):
            out.append(token)
        elif token.letter == "F":
            digits = f"{value.fraction_ticks:07d}"[: token.count].rstrip("0")
            if digits:
                out.append(digits)
            elif out and out[-1].endswith("."):
                out[-1] = out[-1][:-1]
        else:
            out.append(_field(token, value, calendar, culture))
    return "".join(out)


def _round_trip(value: NetDateTime) -> str:
    """The "o" format written directly: it is the default output of almost every call, so it skips the tokens."""
    c = value.to_datetime()
    suffix = {Kind.UTC: "Z", Kind.LOCAL: "+00:00", Kind.UNSPECIFIED: ""}[value.kind]
    return (
        f"{c.year:04d}-{c.month:02d}-{c.day:02d}T{c.hour:02d}:{c.minute:02d}:{c.second:02d}"
        f".{value.fraction_ticks:07d}{suffix}"
    )


def _field(token: Field, value: NetDateTime, calendar: _dt.datetime, culture: Culture) -> str:
    letter, count = token.letter, token.count
    if letter == "d":
        if count >= 3:
            names = culture.day_names if count >= 4 else culture.abbreviated_day_names
            return names[(calendar.weekday() + 1) % 7]
        return _number(calendar.day, count)
    if letter == "M":
        if count >= 3:
            names = culture.month_names if count >= 4 else culture.abbreviated_month_names
            return names[calendar.month - 1]
        return _number(calendar.month, count)
    if letter == "y":
        if count <= 2:
            return _number(calendar.year % 100, count)
        return f"{calendar.year:0{count}d}"
    if letter == "h":
        return _number(calendar.hour % 12 or 12, count)
    if letter == "H":
        return _number(calendar.hour, count)
    if letter == "m":
        return _number(calendar.minute, count)
    if letter == "s":
        return _number(calendar.second, count)
    if letter == "f":
        return f"{value.fraction_ticks:07d}"[:count]
    if letter == "t":
        designator = culture.am if calendar.hour < 12 else culture.pm
        return designator[:1] if count == 1 else designator
    if letter == "g":
        return culture.era
    if letter == "z":
        # The offset of the machine's own zone, which on the service is UTC.
        return {1: "+0", 2: "+00"}.get(count, "+00:00")
    if letter == "K":
        return {Kind.UTC: "Z", Kind.LOCAL: "+00:00", Kind.UNSPECIFIED: ""}[value.kind]
    if letter == ":":
        return culture.time_separator
    return culture.date_separator


def _number(value: int, count: int) -> str:
    return f"{value:02d}" if count >= 2 else str(value)


def parse_exact(text: str, format_string: str, culture: Culture, today: _dt.date) -> NetDateTime | None:
    """`DateTime.ParseExact(text, format, culture)`: None when the text does not match the format.

    Fields the format lacks take .NET's defaults: the date is `today` when the format has no date part,
    else the first day/month; a two-digit year is 1950-2049. A parsed offset converts the result to UTC.
    """
    pattern, culture, _ = expand(format_string, culture)
    tokens = tokenize(pattern)
    match = _exact_regex(tokens, culture).fullmatch(text.strip())
    if match is None:
        return None
    groups = {name: value for name, value in match.groupdict().items() if value is not None}
    return _assemble(groups, culture, today)


@functools.lru_cache(maxsize=256)
def _exact_regex(tokens: tuple[Token, ...], culture: Culture) -> re.Pattern[str]:
    parts: list[str] = []
    seen: set[str] = set()
    for token in tokens:
        if isinstance(token, str):
            parts.append(re.escape(token))
            continue
        name, regex = _field_regex(token, culture)
        if name in seen or name == "":
            parts.append(f"(?:{regex})")
        else:
            seen.add(name)
            parts.append(f"(?P<{name}>{regex})")
    return re.compile("".join(parts), re.IGNORECASE)


def _alternatives(names: tuple[str, ...]) -> str:
    return "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True) if name)


def _field_regex(token: Field, culture: Culture) -> tuple[str, str]:
    letter, count = token.letter, token.count
    digits = r"\d{1,2}" if count == 1 else r"\d{2}"
    if letter == "d":
        if count >= 3:
            return "", _alternatives(culture.day_names if count >= 4 else culture.abbreviated_day_names)
        return "day", digits
    if letter == "M":
        if count >= 4:
            return "month_name", _alternatives(culture.month_names)
        if count == 3:
            return "month_abbr", _alternatives(culture.abbreviated_month_names)
        return "month", digits
    if letter == "y":
        return ("year2", digits) if count <= 2 else ("year", rf"\d{{{min(count, 4)},4}}")
    if letter in "hHms":
        return {"h": "hour12", "H": "hour", "m": "minute", "s": "second"}[letter], digits
    if letter in "fF":
        return "fraction", rf"\d{{{count}}}" if letter == "f" else rf"\d{{0,{count}}}"
    if letter == "t":
        return "designator", _alternatives((culture.am, culture.pm)) if count > 1 else "[AaPp]"
    if letter in "zK":
        regex = {1: r"[+-]\d{1,2}", 2: r"[+-]\d{2}"}.get(count, r"[+-]\d{2}:?\d{2}")
        return "offset", (f"Z|{regex}" if letter == "K" else regex) + ("|" if letter == "K" else "")
    if letter == "g":
        return "", re.escape(culture.era)
    return "", re.escape(culture.time_separator if letter == ":" else culture.date_separator)


def _assemble(groups: dict[str, str], culture: Culture, today: _dt.date) -> NetDateTime | None:
    has_date = any(key in groups for key in ("day", "month", "month_name", "month_abbr", "year", "year2"))
    year, month, day = (1, 1, 1) if has_date else (today.year, today.month, today.day)
    if "year" in groups:
        year = int(groups["year"])
    elif "year2" in groups:
        short = int(groups["year2"])
        year = 2000 + short if short < 50 else 1900 + short
    if "month" in groups:
        month = int(groups["month"])
    elif "month_name" in groups:
        month = _index(groups["month_name"], culture.month_names)
    elif "month_abbr" in groups:
        month = _index(groups["month_abbr"], culture.abbreviated_month_names)
    if "day" in groups:
        day = int(groups["day"])
    hour = int(groups.get("hour", "0"))
    if "hour12" in groups:
        hour = int(groups["hour12"]) % 12
        designator = groups.get("designator", "")
        if designator[:1].lower() == culture.pm[:1].lower() and culture.pm and designator:
            hour += 12
    fraction = groups.get("fraction", "")
    ticks = int((fraction + "0000000")[:7]) if fraction else 0
    try:
        calendar = _dt.datetime(year, month, day, hour, int(groups.get("minute", "0")), int(groups.get("second", "0")))
    except ValueError:
        return None
    value = NetDateTime.from_datetime(calendar, Kind.UNSPECIFIED).add_ticks(ticks)
    return apply_offset(value, groups.get("offset", ""))


def _index(name: str, names: tuple[str, ...]) -> int:
    lowered = [candidate.lower() for candidate in names]
    return lowered.index(name.lower()) + 1


def apply_offset(value: NetDateTime, offset: str) -> NetDateTime:
    """Move a wall-clock value with a written offset ("Z", "+05:00", "-0800", "+5") to UTC, as the service does."""
    if not offset:
        return value
    if offset.upper() == "Z":
        return value.with_kind(Kind.UTC)
    sign = -1 if offset[0] == "-" else 1
    body = offset[1:].replace(":", "")
    hours, minutes = (int(body[:-2]), int(body[-2:])) if len(body) > 2 else (int(body), 0)
    return value.add_ticks(-sign * (hours * 3600 + minutes * 60) * TICKS_PER_SECOND).with_kind(Kind.UTC)
