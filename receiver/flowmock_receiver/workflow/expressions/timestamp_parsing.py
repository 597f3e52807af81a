"""Reading the timestamp strings the date and time functions take, as the service's `DateTime.Parse` reads them.

The service's error says "The datetime string must match ISO 8601 format", yet its own reference passes
'03/15/2018 12:00:00' and '01/31/2016' to `formatDateTime`, and `parseDateTime('20 octobre 2010', 'fr-FR')`
reads French month names: the parse is .NET's culture-aware `DateTime.Parse`. flowmock accepts the forms
that parse recognises and flows use:

- ISO 8601 extended: `2018-03-15`, `2018-03-15T13:00`, `...:00`, `...:00.1234567`, with `T` or a space,
  ending in `Z`, an offset (`+05:00`, `+0500`, `+05`) or nothing;
- numeric dates in the culture's order (month/day/year for en-US and the invariant culture, day/month/year
  for fr-FR ...) or year first, separated by "/", "-" or ".", with an optional time `H:mm[:ss[.fffffff]]`,
  an optional AM/PM designator and an optional offset, "Z" or "GMT";
- dates with month names in the culture's language, with or without a day name (`Tuesday, January 2, 2018`,
  `20 octobre 2010`, `Mon, 15 Mar 2018 13:00:00 GMT`);
- a time alone, which takes today's date.

The kind follows .NET's round-trip rules: "Z" or "GMT" makes a UTC timestamp, an offset is applied and makes
a UTC one (the service's clock is UTC), and no offset leaves it unspecified, so "o" writes no suffix.
"""

from __future__ import annotations

import datetime as _dt
import re

from .cultures import Culture
from .dotnet_format import apply_offset
from .net_datetime import Kind, NetDateTime, OutOfRange

_OFFSET = r"(?P<offset>Z|GMT|UTC|[+-]\d{2}(?::?\d{2})?)"
_ISO = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:[T ](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?)?"
    rf"\s*{_OFFSET}?",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"(?:^|[\sT,])(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?"
    rf"\s*(?P<designator>[AP]\.?M\.?|[AP])?\s*{_OFFSET}?\s*$",
    re.IGNORECASE,
)
_WORD = re.compile(r"\d+|[^\W\d_]+\.?")
_SEPARATORS = re.compile(r"[\s,/.\-]*")
#: Words Spanish and Portuguese long dates put between their parts ("martes, 20 de octubre de 2020"), skipped.
_DATE_WORDS = frozenset({"de", "del"})


def parse_timestamp(text: str, culture: Culture, today: _dt.date) -> NetDateTime | None:
    """The timestamp `text` denotes in `culture`, or None when .NET's parse would reject it."""
    text = text.strip()
    try:
        match = _ISO.fullmatch(text)
        if match is not None:
            return _build(match.groupdict(), culture)
        return _parse_general(text, culture, today)
    except (ValueError, OutOfRange):
        return None


def _parse_general(text: str, culture: Culture, today: _dt.date) -> NetDateTime | None:
    time = _TIME.search(text)
    groups: dict[str, str | None] = {}
    date_text = text
    if time is not None:
        groups = time.groupdict()
        date_text = text[: time.start()]
    if time is None and not date_text.strip(" ,"):
        return None
    date = _date_fields(date_text, culture, today)
    if date is None:
        return None
    groups["year"], groups["month"], groups["day"] = (str(part) for part in date)
    return _build(groups, culture)


def _date_fields(text: str, culture: Culture, today: _dt.date) -> tuple[int, int, int] | None:
    """(year, month, day) from the date part of a non-ISO string, or None when it is not a date.

    An empty date part (a time alone) is today, as `DateTime.Parse` reads "13:05".
    """
    if not text.strip(" ,"):
        return (today.year, today.month, today.day)
    words = _WORD.findall(text)
    if "".join(words).replace(".", "") != _SEPARATORS.sub("", text):
        return None
    numbers: list[str] = []
    month: int | None = None
    for word in words:
        if word.isdigit():
            numbers.append(word)
            continue
        named = _month_named(word, culture)
        if named is not None and month is None:
            month = named
        elif word.lower() not in _DATE_WORDS and not _is_day_name(word, culture):
            return None
    if month is not None:
        return _with_month_name(numbers, month, culture, today)
    return _numeric(numbers, culture, today)


def _with_month_name(numbers: list[str], month: int, culture: Culture, today: _dt.date) -> tuple[int, int, int] | None:
    if len(numbers) == 1:
        return (today.year, month, int(numbers[0]))
    if len(numbers) != 2:
        return None
    first, second = numbers
    if len(first) >= 3:
        return (int(first), month, int(second))
    return (_year(second), month, int(first))


def _numeric(numbers: list[str], culture: Culture, today: _dt.date) -> tuple[int, int, int] | None:
    if len(numbers) == 2:
        numbers = [*numbers, str(today.year)] if _order(culture) != "ymd" else [str(today.year), *numbers]
    if len(numbers) != 3:
        return None
    if len(numbers[0]) >= 3:
        return (int(numbers[0]), int(numbers[1]), int(numbers[2]))
    order = _order(culture)
    fields = dict(zip(order, numbers, strict=True))
    return (_year(fields["y"]), int(fields["m"]), int(fields["d"]))


def _order(culture: Culture) -> str:
    """The order of day, month and year in the culture's short date pattern: "mdy", "dmy" or "ymd"."""
    pattern = culture.patterns["d"].lower()
    positions = sorted((pattern.find(letter), letter) for letter in "dmy")
    return "".join(letter for _, letter in positions)


def _year(text: str) -> int:
    value = int(text)
    if len(text) <= 2:
        return 2000 + value if value < 50 else 1900 + value
    return value


def _month_named(word: str, culture: Culture) -> int | None:
    key = word.rstrip(".").lower()
    for names in (culture.month_names, culture.abbreviated_month_names):
        for index, name in enumerate(names):
            if name.rstrip(".").lower() == key:
                return index + 1
    return None


def _is_day_name(word: str, culture: Culture) -> bool:
    key = word.rstrip(".").lower()
    names = culture.day_names + culture.abbreviated_day_names
    return any(name.rstrip(".").lower() == key for name in names)


def _build(groups: dict[str, str | None], culture: Culture) -> NetDateTime:
    hour = int(groups.get("hour") or 0)
    designator = (groups.get("designator") or "").replace(".", "").upper()
    if designator:
        if not 1 <= hour <= 12:
            raise ValueError("a 12-hour clock hour must be 1-12")
        hour = hour % 12 + (12 if designator.startswith("P") else 0)
    fraction = groups.get("fraction") or ""
    calendar = _dt.datetime(
        int(groups["year"] or 0),
        int(groups["month"] or 0),
        int(groups["day"] or 0),
        hour,
        int(groups.get("minute") or 0),
        int(groups.get("second") or 0),
    )
    value = NetDateTime.from_datetime(calendar, Kind.UNSPECIFIED).add_ticks(int((fraction + "0000000")[:7]))
    offset = (groups.get("offset") or "").upper()
    return apply_offset(value, "Z" if offset in ("GMT", "UTC") else offset)
