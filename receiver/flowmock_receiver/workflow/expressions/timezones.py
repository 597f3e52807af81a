"""Windows time zone names, as `convertTimeZone` and friends take them, resolved to IANA zones and converted.

The service runs on Windows, so its zone names are Windows ids ("Pacific Standard Time", "W. Europe Standard
Time", "UTC"), not IANA names. The Windows-to-IANA table is CLDR's, which tzlocal ships and keeps current
(`tzlocal.windows_tz.win_tz`); the rules themselves come from `zoneinfo` with the `tzdata` package, so a flow's
conversions follow the same daylight-saving history as the service's. Names are matched case-insensitively,
as Windows does; IANA names are rejected, as the reference lists only Windows names.

Conversions follow .NET's `TimeZoneInfo`: a wall-clock time that falls in a spring-forward gap does not exist
and is an error; one that occurs twice in the autumn is read as standard time.
"""

from __future__ import annotations

import datetime as _dt
import functools
import zoneinfo

from tzlocal.windows_tz import win_tz

from .net_datetime import Kind, NetDateTime

_BY_LOWER_NAME = {name.lower(): (name, iana) for name, iana in win_tz.items()}
_UTC_NAMES = frozenset({"utc", "coordinated universal time"})


class UnknownTimeZone(ValueError):
    """The name is not a Windows time zone id."""


class InvalidLocalTime(ValueError):
    """The wall-clock time does not exist in the source zone (it falls in a daylight-saving gap)."""


@functools.lru_cache(maxsize=128)
def find_zone(name: str) -> zoneinfo.ZoneInfo:
    """The IANA zone for a Windows time zone id; raises `UnknownTimeZone`."""
    key = name.strip().lower()
    if key in _UTC_NAMES:
        return zoneinfo.ZoneInfo("Etc/UTC")
    if key not in _BY_LOWER_NAME:
        raise UnknownTimeZone(name)
    try:
        return zoneinfo.ZoneInfo(_BY_LOWER_NAME[key][1])
    except zoneinfo.ZoneInfoNotFoundError as error:
        raise UnknownTimeZone(name) from error


def is_utc(name: str) -> bool:
    """Whether the name is the UTC zone, into which .NET's conversions produce a UTC-kind timestamp."""
    return name.strip().lower() in _UTC_NAMES


def from_utc(value: NetDateTime, zone_name: str) -> NetDateTime:
    """`TimeZoneInfo.ConvertTimeFromUtc`: the wall clock in the zone; unspecified kind unless the zone is UTC."""
    zone = find_zone(zone_name)
    aware = value.to_datetime().replace(tzinfo=_dt.UTC).astimezone(zone)
    kind = Kind.UTC if is_utc(zone_name) else Kind.UNSPECIFIED
    return NetDateTime.from_datetime(aware.replace(tzinfo=None), kind, value.sub_microsecond)


def to_utc(value: NetDateTime, zone_name: str) -> NetDateTime:
    """`TimeZoneInfo.ConvertTimeToUtc`: the timestamp's wall clock read in the zone, as a UTC timestamp."""
    zone = find_zone(zone_name)
    wall = value.to_datetime()
    # fold=1 picks the later of two repeated times: standard time, as .NET assumes for ambiguous times.
    aware = wall.replace(tzinfo=zone, fold=1)
    utc = aware.astimezone(_dt.UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != wall:
        raise InvalidLocalTime(f"{wall.isoformat()} does not exist in '{zone_name}'")
    return NetDateTime.from_datetime(utc.replace(tzinfo=None), Kind.UTC, value.sub_microsecond)


def convert(value: NetDateTime, source_name: str, destination_name: str) -> NetDateTime:
    """`TimeZoneInfo.ConvertTimeBySystemTimeZoneId`: from the source zone's wall clock to the destination's."""
    return from_utc(to_utc(value, source_name), destination_name)
