"""AWS-shaped identifiers drawn from the `secrets` module's randomness.

- Unique ids (`AIDA…` users, `AGPA…` groups, `AROA…` roles, `ANPA…` policies, `AIPA…` instance
  profiles, `ASCA…` certificates, …): 21 characters, a 4-letter prefix then 17 characters.
- Access key ids (`AKIA…` long-term, `ASIA…` temporary): 20 characters, prefix then 16.
  AWS draws both from the base-32 alphabet `A-Z2-7` (its ids decode as base 32; see the prefix
  table in the IAM User Guide, "IAM identifiers"), which is also within IAM's `[\\w]+` pattern.
  80 or more random bits each.
- Secret access keys: 40 characters of `A-Za-z0-9/+`, the base-64 encoding of 30 random bytes
  (240 bits; base 64 of a multiple of 3 bytes has no padding).
- Account ids: 12 digits, the first not 0 (some tools drop a leading zero).
- Request ids: UUID4 strings, as AWS returns in `x-amzn-RequestId`.
"""

from __future__ import annotations

import base64
import re
import secrets
import uuid

__all__ = [
    "new_access_key_id",
    "new_account_id",
    "new_request_id",
    "new_secret_access_key",
    "new_unique_id",
]

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_PREFIX = re.compile(r"[A-Z]{4}")
_UNIQUE_ID_LENGTH = 21
_ACCESS_KEY_ID_LENGTH = 20


def _random_base32(count: int) -> str:
    return "".join(secrets.choice(_BASE32) for _ in range(count))


def _check_prefix(prefix: str) -> None:
    if not _PREFIX.fullmatch(prefix):
        raise ValueError(f"an identifier prefix is four capital letters, not {prefix!r}")


def new_unique_id(prefix: str) -> str:
    _check_prefix(prefix)
    return prefix + _random_base32(_UNIQUE_ID_LENGTH - len(prefix))


def new_access_key_id(prefix: str = "AKIA") -> str:
    _check_prefix(prefix)
    return prefix + _random_base32(_ACCESS_KEY_ID_LENGTH - len(prefix))


def new_secret_access_key() -> str:
    return base64.b64encode(secrets.token_bytes(30)).decode("ascii")


def new_account_id() -> str:
    return secrets.choice("123456789") + "".join(secrets.choice("0123456789") for _ in range(11))


def new_request_id() -> str:
    return str(uuid.uuid4())
