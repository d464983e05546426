"""Typed readings of condition values: dates, numbers, booleans, IP networks, binary."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from decimal import Decimal, InvalidOperation

_ISO_DATE = re.compile(
    r"(?P<year>-?[0-9]{1,9})(?:-(?P<month>[0-9]{1,2})(?:-(?P<day>[0-9]{1,2}))?)?"
    r"(?:[Tt](?:(?P<hour>[0-9]{1,2})(?::(?P<minute>[0-9]{1,2})(?::(?P<second>[0-9]{1,2})"
    r"(?:\.(?P<fraction>[0-9]{1,9}))?)?)?(?P<zone>[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?)?)?"
)
# The range IAM's date parser accepts (the limits of a 64-bit millisecond clock).
_MIN_YEAR, _MAX_YEAR = -292275054, 292278993
_FIELD_LIMITS = {
    "month": (1, 12),
    "day": (1, 31),
    "hour": (0, 23),
    "minute": (0, 59),
    "second": (0, 59),
}


def is_policy_date(text: str) -> bool:
    """Whether IAM accepts `text` as a Date condition value (more than it can compare)."""
    text = text.strip()
    if _EPOCH.fullmatch(text):
        return int(text) <= 2**63 - 1
    match = _ISO_DATE.fullmatch(text)
    if match is None or not _MIN_YEAR <= int(match["year"]) <= _MAX_YEAR:
        return False
    for name, (low, high) in _FIELD_LIMITS.items():
        if match[name] is not None and not low <= int(match[name]) <= high:
            return False
    return _zone_offset(match["zone"]) is not None


_EPOCH = re.compile(r"[0-9]{1,19}")
_MICROS = 1_000_000


def parse_instant(text: str) -> int | None:
    """An ISO 8601 date-time, or epoch seconds, as microseconds since the epoch (UTC).

    An integer rather than a datetime, so that the whole range IAM accepts compares correctly,
    years before 1 and after 9999 included. None if `text` is not a date IAM reads.
    """
    text = text.strip()
    if _EPOCH.fullmatch(text):
        return int(text) * _MICROS
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        return None
    year, month, day = int(match["year"]), int(match["month"] or 1), int(match["day"] or 1)
    offset = _zone_offset(match["zone"])
    if not 1 <= month <= 12 or not 1 <= day <= _days_in_month(year, month) or offset is None:
        return None
    hour, minute, second = (int(match[name] or 0) for name in ("hour", "minute", "second"))
    if hour > 23 or minute > 59 or second > 59:
        return None
    fraction = int((match["fraction"] or "0")[:6].ljust(6, "0"))
    seconds = _days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    return (seconds - offset) * _MICROS + fraction


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 in the proleptic Gregorian calendar, for any year (H. Hinnant)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def _zone_offset(text: str | None) -> int | None:
    """A zone designator as seconds east of UTC; None if it is not one."""
    if not text or text in "Zz":
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        return None
    return sign * (hours * 3600 + minutes * 60)


def parse_number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """A CIDR block; a bare address is a /32 (or /128)."""
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def parse_binary(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
