"""Numbers as .NET writes and reads them: formatNumber (standard and custom numeric format strings), isFloat, and the
locale-aware parsing behind float().

The service calls `number.ToString(format, culture)` and `double.Parse(text, NumberStyles.Any, culture)`, so
flowmock reads .NET's format language here: standard specifiers (C, D, E, F, G, N, P, R, X with a precision) and
custom patterns (`0`, `#`, `.`, `,` for grouping and scaling, `%`, `‰`, `E+0`, quoted literals, `\\` escapes,
`;` sections). Culture data (separators, currency symbol and position, percent pattern) comes from CLDR through
Babel; `en-US` is the default, as the reference says, and `''` is the invariant culture.

Rounding follows .NET Framework, which the cloud service runs on: a double is first cut to 15 significant digits,
then rounded half away from zero (so `formatNumber(2.5, 'F0')` is "3").
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import babel
import babel.numbers
from babel.core import UnknownLocaleError

from ..values import format_float, is_number, type_name
from .base import Function, fail, registrar, text_arg

FUNCTIONS: dict[str, Function] = {}
function = registrar(FUNCTIONS)

# Where .NET's culture data differs from CLDR in a way the reference shows (its formatNumber example writes
# "17,35 kr" for is-IS, CLDR's symbol is "kr.").
_CURRENCY_SYMBOLS = {"is": "kr"}


@dataclass(frozen=True)
class NumberCulture:
    decimal: str
    group: str
    minus: str
    currency_symbol: str
    currency_before: bool
    currency_space: bool
    currency_digits: int
    percent_space: bool


INVARIANT = NumberCulture(".", ",", "-", "¤", True, False, 2, True)
EN_US = NumberCulture(".", ",", "-", "$", True, False, 2, False)


class UnknownCulture(ValueError):
    pass


@functools.lru_cache(maxsize=64)
def number_culture(name: str | None) -> NumberCulture:
    """The numeric conventions of an RFC 4646 locale name (`None` means en-US, `''` the invariant culture)."""
    if name is None or name.lower() == "en-us":
        return EN_US
    if name == "":
        return INVARIANT
    try:
        locale = babel.Locale.parse(name.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        raise UnknownCulture(name) from None
    currency = "XXX"
    if locale.territory:
        currencies = babel.numbers.get_territory_currencies(locale.territory)
        currency = currencies[0] if currencies else "XXX"
    symbol = _CURRENCY_SYMBOLS.get(locale.language, babel.numbers.get_currency_symbol(currency, locale))
    pattern = locale.currency_formats["standard"].pattern.split(";")[0]
    before = pattern.strip().startswith("¤")
    space = bool(re.search(r"¤\s|\s¤", pattern))
    percent = locale.percent_formats[None].pattern
    return NumberCulture(
        decimal=babel.numbers.get_decimal_symbol(locale),
        group=babel.numbers.get_group_symbol(locale),
        minus=babel.numbers.get_minus_sign_symbol(locale),
        currency_symbol=symbol,
        currency_before=before,
        currency_space=space,
        currency_digits=2,
        percent_space=bool(re.search(r"\s%", percent)),
    )


def _culture(name: str, value: Any, ordinal: int) -> NumberCulture:
    if value is None:
        return EN_US
    locale = text_arg(name, value, ordinal)
    try:
        return number_culture(locale)
    except UnknownCulture:
        fail(name, f"was invoked with a locale that is not valid: '{locale}' is not a known culture name.")
        raise AssertionError("unreachable") from None


# -- parsing --------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _float_pattern(culture: NumberCulture) -> re.Pattern[str]:
    """`NumberStyles.Any`: white space, a leading or trailing sign or parentheses, a currency symbol, group
    separators anywhere in the integer part, a decimal separator and an exponent."""
    group = re.escape(culture.group) + ("|\u00a0| " if culture.group in ("\u00a0", "\u202f") else "")
    currency = re.escape(culture.currency_symbol)
    decimal = re.escape(culture.decimal)
    return re.compile(
        rf"^\s*(?P<open>\()?\s*(?:{currency})?\s*(?P<lead>[+-])?\s*(?:{currency})?\s*"
        rf"(?P<int>\d(?:\d|{group})*)?(?:{decimal}(?P<frac>\d*))?(?:[eE](?P<exp>[+-]?\d+))?"
        rf"\s*(?P<trail>[+-])?\s*(?:{currency})?\s*(?P<close>\))?\s*$"
    )


def parse_number(text: str, culture: NumberCulture) -> float | None:
    match = _float_pattern(culture).match(text)
    if match is None or not (match["int"] or match["frac"]):
        return None
    if bool(match["open"]) != bool(match["close"]) or (match["lead"] and match["trail"]):
        return None
    if match["open"] and (match["lead"] or match["trail"]):
        return None
    digits = re.sub(r"\D", "", match["int"] or "") or "0"
    number = float(f"{digits}.{match['frac'] or '0'}e{match['exp'] or '0'}")
    if math.isinf(number):
        return None  # beyond a double, as .NET's parse refuses it
    negative = match["open"] or (match["lead"] or match["trail"]) == "-"
    return -number if negative else number


def parse_float(name: str, text: str, locale: Any) -> float | None:
    return parse_number(text, _culture(name, locale, 1))


@function("isFloat", 1, 2, expects="one or two parameters: the string to check and, optionally, the locale")
def is_float(value: Any, locale: Any = None) -> bool:
    text = text_arg("isFloat", value, 0)
    culture = INVARIANT if locale is None else _culture("isFloat", locale, 1)
    return parse_number(text, culture) is not None


# -- formatting -----------------------------------------------------------------------------------------------


def _exact(value: Any) -> Decimal:
    """The number as a Decimal; a double first cut to 15 significant digits, as .NET Framework does."""
    if isinstance(value, float):
        return Decimal(format(value, ".15g"))
    return Decimal(value)


def _round(number: Decimal, decimals: int) -> Decimal:
    return number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _group(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join(parts)


def _fixed(number: Decimal, decimals: int, culture: NumberCulture, grouped: bool) -> tuple[bool, str]:
    """(negative, text without sign) of a number rounded to `decimals` places."""
    rounded = _round(abs(number), decimals)
    text = format(rounded, "f")
    whole, _, fraction = text.partition(".")
    if grouped:
        whole = _group(whole, culture.group)
    body = whole + (culture.decimal + fraction if decimals > 0 else "")
    return number < 0 and rounded != 0, body


def _scientific(number: Decimal, decimals: int, letter: str, exponent_digits: int, culture: NumberCulture) -> str:
    if number == 0:
        mantissa, exponent = Decimal(0), 0
    else:
        exponent = abs(number).adjusted()
        mantissa = _round(abs(number).scaleb(-exponent), decimals)
        if mantissa >= 10:
            exponent += 1
            mantissa = _round(abs(number).scaleb(-exponent), decimals)
    whole, _, fraction = format(mantissa, "f").partition(".")
    body = whole + (culture.decimal + fraction if decimals > 0 else "")
    sign = "+" if exponent >= 0 else "-"
    text = f"{body}{letter}{sign}{abs(exponent):0{exponent_digits}d}"
    return (culture.minus if number < 0 else "") + text


def _standard(value: Any, spec: str, precision: int | None, culture: NumberCulture) -> str | None:
    letter = spec.upper()
    number = _exact(value)
    if letter == "D":
        if not isinstance(value, int):
            return None
        digits = str(abs(value)).rjust(precision or 0, "0")
        return (culture.minus if value < 0 else "") + digits
    if letter == "X":
        if not isinstance(value, int):
            return None
        digits = format(value & 0xFFFFFFFFFFFFFFFF if value < 0 else value, "x")
        digits = digits.rjust(precision or 0, "0")
        return digits.upper() if spec == "X" else digits
    if letter in ("F", "N"):
        negative, body = _fixed(number, 2 if precision is None else precision, culture, letter == "N")
        return (culture.minus if negative else "") + body
    if letter == "C":
        negative, body = _fixed(number, culture.currency_digits if precision is None else precision, culture, True)
        space = " " if culture.currency_space else ""
        body = (
            f"{culture.currency_symbol}{space}{body}"
            if culture.currency_before
            else f"{body}{space}{culture.currency_symbol}"
        )
        return (culture.minus if negative else "") + body
    if letter == "P":
        negative, body = _fixed(number * 100, 2 if precision is None else precision, culture, True)
        return (culture.minus if negative else "") + body + (" %" if culture.percent_space else "%")
    if letter == "E":
        return _scientific(number, 6 if precision is None else precision, spec, 3, culture)
    if letter in ("G", "R"):
        if isinstance(value, int) and precision is None:
            return str(value).replace("-", culture.minus)
        if letter == "R" or precision is None:
            text = format_float(float(value))
        else:
            significant = format(float(value), f".{max(precision, 1)}g")
            mantissa, _, exponent = significant.partition("e")
            text = mantissa + (f"E{exponent[0]}{int(exponent[1:]):02d}" if exponent else "")
        return text.replace(".", "\0").replace("-", culture.minus).replace("\0", culture.decimal)
    return None


_STANDARD = re.compile(r"^([CcDdEeFfGgNnPpRrXx])(\d{0,2})$")


def format_number(value: Any, spec: str, culture: NumberCulture) -> str:
    standard = _STANDARD.match(spec)
    if standard:
        result = _standard(value, standard[1], int(standard[2]) if standard[2] else None, culture)
        if result is None:
            fail(
                "formatNumber",
                f"was invoked with the format '{spec}', which is not valid for a number of type '{type_name(value)}'.",
            )
        return result  # type: ignore[return-value]
    return format_custom(value, spec, culture)


@function("formatNumber", 2, 3, expects="two or three parameters: the number, the format and, optionally, the locale")
def format_number_function(value: Any, spec: Any, locale: Any = None) -> str:
    if not is_number(value):
        fail(
            "formatNumber",
            "expects its first parameter to be an integer or a decimal number. The provided value is of type "
            f"'{type_name(value)}'.",
        )
    pattern = text_arg("formatNumber", spec, 1)
    return format_number(value, pattern, _culture("formatNumber", locale, 2))


# -- custom numeric format strings ------------------------------------------------------------------------------


def _tokens(section: str) -> list[tuple[str, str]]:
    """(kind, text): kind is one of '0', '#', '.', ',', '%', '‰', 'E' (text holds the whole exponent spec), 'lit'."""
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(section):
        char = section[i]
        if char in "'\"":
            end = section.find(char, i + 1)
            end = len(section) if end < 0 else end
            tokens.append(("lit", section[i + 1 : end]))
            i = end + 1
        elif char == "\\":
            tokens.append(("lit", section[i + 1 : i + 2]))
            i += 2
        elif char in "eE":
            match = re.match(r"[eE][+-]?0+", section[i:])
            if match:
                tokens.append(("E", match[0]))
                i += len(match[0])
            else:
                tokens.append(("lit", char))
                i += 1
        elif char in "0#.,%‰":
            tokens.append((char, char))
            i += 1
        else:
            tokens.append(("lit", char))
            i += 1
    return tokens


def _split_sections(spec: str) -> list[str]:
    sections, current, quote, i = [], [], "", 0
    while i < len(spec):
        char = spec[i]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "\\":
            current.append(spec[i : i + 2])
            i += 2
            continue
        elif char == ";":
            sections.append("".join(current))
            current = []
            i += 1
            continue
        current.append(char)
        i += 1
    sections.append("".join(current))
    return sections[:3]


def format_custom(value: Any, spec: str, culture: NumberCulture) -> str:
    """A number under a .NET custom numeric format string."""
    number = _exact(value)
    sections = _split_sections(spec)
    section = sections[0]
    explicit_sign = False
    if number < 0 and len(sections) > 1 and sections[1]:
        section, explicit_sign = sections[1], True
    elif number == 0 and len(sections) > 2 and sections[2]:
        section = sections[2]
    tokens = _tokens(section)
    kinds = [kind for kind, _ in tokens]
    point = kinds.index(".") if "." in kinds else len(tokens)
    exponent_at = kinds.index("E") if "E" in kinds else None
    end = exponent_at if exponent_at is not None else len(tokens)
    integer_places = [i for i in range(point) if kinds[i] in "0#"]
    fraction_kinds = [kinds[i] for i in range(point + 1, end) if kinds[i] in "0#"]
    # A ',' between integer placeholders turns grouping on; ',' right after the last one divides by 1000 each.
    last_integer = integer_places[-1] if integer_places else -1
    grouped = any(
        kind == "," and integer_places and integer_places[0] < i < last_integer for i, kind in enumerate(kinds)
    )
    scale = 0
    j = last_integer + 1
    while 0 < j < len(kinds) and kinds[j] == ",":
        scale += 1
        j += 1
    magnitude = abs(number) / (Decimal(1000) ** scale)
    magnitude *= Decimal(100) ** kinds.count("%") * Decimal(1000) ** kinds.count("‰")
    exponent_text = ""
    if exponent_at is not None:
        exponent = 0 if magnitude == 0 else magnitude.adjusted() - max(len(integer_places) - 1, 0)
        magnitude = magnitude.scaleb(-exponent)
        spec_e = tokens[exponent_at][1]
        sign = "-" if exponent < 0 else ("+" if spec_e[1:2] == "+" else "")
        exponent_text = f"{spec_e[0]}{sign}{abs(exponent):0{spec_e.count('0')}d}"
    max_fraction = len(fraction_kinds)
    min_fraction = max((k + 1 for k, kind in enumerate(fraction_kinds) if kind == "0"), default=0)
    rounded = _round(magnitude, max_fraction)
    whole, _, fraction = format(rounded, "f").partition(".")
    fraction = fraction[:max_fraction].rstrip("0").ljust(min_fraction, "0")
    min_integer = next((len(integer_places) - k for k, i in enumerate(integer_places) if kinds[i] == "0"), 0)
    whole = whole.lstrip("0").rjust(min_integer, "0")
    negative = number < 0 and not explicit_sign and (whole.strip("0") or fraction.strip("0"))
    assigned = _place_integer(whole, integer_places, culture.group if grouped else None)
    out: list[str] = []
    for index, (kind, text) in enumerate(tokens):
        if index in assigned:
            out.append(assigned[index])
        elif kind in "0#,":
            continue
        elif kind == ".":
            if fraction:
                out.append(culture.decimal + fraction)
        elif kind == "E":
            out.append(exponent_text)
        else:
            out.append(text)
    return (culture.minus if negative else "") + "".join(out)


def _place_integer(whole: str, places: list[int], group: str | None) -> dict[int, str]:
    """Integer digits into their placeholders, right to left (so "(###) ###-####" lays out a phone number); the
    leftmost placeholder takes what is left. With grouping on, the grouped digits all go to the first one."""
    if not places:
        return {}
    if group is not None:
        return {places[0]: _group(whole, group) if whole else "", **{i: "" for i in places[1:]}}
    assigned: dict[int, str] = {}
    remaining = whole
    for index in reversed(places[1:]):
        assigned[index] = remaining[-1:] if remaining else ""
        remaining = remaining[:-1]
    assigned[places[0]] = remaining
    return assigned
