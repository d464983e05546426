"""Typed readings of condition values: dates, numbers, booleans, IP networks, binary."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from datetime import UTC, datetime, timedelta, timezone
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
    if _EPOCH.fullmatch(text.strip()):
        return int(text) <= 2**63 - 1
    match = _ISO_DATE.fullmatch(text.strip())
    if match is None or not _MIN_YEAR <= int(match["year"]) <= _MAX_YEAR:
        return False
    for field, (low, high) in _FIELD_LIMITS.items():
        if match[field] is not None and not low <= int(match[field]) <= high:
            return False
    try:
        _zone(match["zone"])
    except ValueError:
        return False
    return True


_EPOCH = re.compile(r"[0-9]{1,19}")


def parse_date(text: str) -> datetime | None:
    """An ISO 8601 date-time (or epoch seconds) as AWS accepts it, in UTC; None if it is not one."""
    text = text.strip()
    if _EPOCH.fullmatch(text):
        try:
            return datetime.fromtimestamp(int(text), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        return None
    parts = match.groupdict()
    try:
        fraction = (parts["fraction"] or "0")[:6].ljust(6, "0")
        value = datetime(
            int(parts["year"]),
            int(parts["month"] or 1),
            int(parts["day"] or 1),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            int(fraction),
            tzinfo=_zone(parts["zone"]),
        ).astimezone(UTC)
    except (ValueError, OverflowError):  # valid for IAM, but past what datetime can hold
        return None
    return value


def _zone(text: str | None) -> timezone:
    if not text or text in "Zz":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError("bad time zone")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


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
