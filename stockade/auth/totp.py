"""Virtual MFA devices: TOTP seeds, provisioning URIs, QR codes, and code checks (RFC 6238).

Codes are 6 digits over 30-second steps with HMAC-SHA1, what every authenticator app and AWS's
virtual MFA use. A seed is 40 random bytes, 64 base-32 characters: the length of the
`Base32StringSeed` AWS's CreateVirtualMFADevice returns.

Replay: `match_code` returns the time step (counter) of the code it accepts; the caller stores it
per device and passes it back as `last_used_counter`, so a code is accepted at most once and no
code older than the last accepted one is accepted after it.
"""

from __future__ import annotations

import base64
import hmac
import io
import re
import secrets
from datetime import datetime
from urllib.parse import quote

import pyotp
import segno

__all__ = ["match_code", "match_consecutive", "new_seed", "provisioning_uri", "qr_png"]

_STEP_SECONDS = 30
_DIGITS = 6
_SEED_BYTES = 40
_CODE = re.compile(r"[0-9]{6}")


def new_seed() -> str:
    return base64.b32encode(secrets.token_bytes(_SEED_BYTES)).decode("ascii")


def provisioning_uri(seed: str, label: str, issuer: str = "Stockade") -> str:
    """`otpauth://totp/{label}?secret={seed}&issuer={issuer}` (Key Uri Format).

    AWS's label is `{device name}@{account}`; `@` is left as is so apps show it unchanged.
    """
    uri = f"otpauth://totp/{quote(label, safe='@')}?secret={quote(seed, safe='')}"
    if issuer:
        uri += f"&issuer={quote(issuer, safe='')}"
    return uri


def qr_png(uri: str) -> bytes:
    """The URI as a QR code PNG, with the 4-module quiet zone scanners expect."""
    buffer = io.BytesIO()
    segno.make(uri, error="m", micro=False).save(buffer, kind="png", scale=4, border=4)
    return buffer.getvalue()


def _counter(now: datetime) -> int:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return int(now.timestamp()) // _STEP_SECONDS


def _codes(seed: str, counters: range) -> dict[int, str]:
    totp = pyotp.TOTP(seed, digits=_DIGITS, interval=_STEP_SECONDS)
    return {counter: str(totp.generate_otp(counter)) for counter in counters}


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode("ascii"), given.encode("ascii"))


def match_consecutive(
    seed: str, code1: str, code2: str, now: datetime, window: int = 2
) -> int | None:
    """The counter of `code2` if `code1` and `code2` are the codes of two consecutive steps that
    both lie within `window` steps of `now`; else None. EnableMFADevice / ResyncMFADevice."""
    if not (_CODE.fullmatch(code1) and _CODE.fullmatch(code2)):
        return None
    current = _counter(now)
    codes = _codes(seed, range(current - window, current + window + 1))
    found: int | None = None
    # Every candidate is compared, so the time taken does not depend on where a match is.
    for counter in range(current - window, current + window):
        if _same(codes[counter], code1) & _same(codes[counter + 1], code2):
            found = counter + 1
    return found


def match_code(
    seed: str, code: str, now: datetime, last_used_counter: int | None, window: int = 1
) -> int | None:
    """The counter of `code` if it is the code of a step within `window` steps of `now` and
    later than `last_used_counter`; else None."""
    if not _CODE.fullmatch(code):
        return None
    current = _counter(now)
    codes = _codes(seed, range(current - window, current + window + 1))
    found: int | None = None
    for counter, expected in codes.items():
        if _same(expected, code) and (last_used_counter is None or counter > last_used_counter):
            # The latest matching step wins: two steps sharing a code must not let the earlier
            # one be accepted now and the later one replayed afterwards.
            found = counter
    return found
