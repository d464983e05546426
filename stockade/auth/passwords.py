"""Console passwords hashed with Argon2id (argon2-cffi).

Cost: time 3, memory 19 MiB, one lane: about 35 ms a hash on the project's 2-core machines,
above OWASP's Argon2id minimum (19 MiB, time 2) and cheap enough that a burst of logins does not
starve the API. A stored hash made with other parameters reports `needs_rehash`, so raising the
cost later upgrades hashes as users log in.

`STOCKADE_FAST_PASSWORD_HASH=1` switches to a trivially cheap hasher. It is for test suites only:
hashes made with it are worthless against an offline attack (and report `needs_rehash` once the
variable is unset).
"""

from __future__ import annotations

import os

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["FAST_HASH_ENV", "hash_password", "needs_rehash", "verify_password"]

FAST_HASH_ENV = "STOCKADE_FAST_PASSWORD_HASH"

_PRODUCTION = PasswordHasher(
    time_cost=3, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)
_FAST = PasswordHasher(
    time_cost=1, memory_cost=8, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)


def _hasher() -> PasswordHasher:
    # Read per call, not at import, so a test can set the variable after stockade is imported.
    return _FAST if os.environ.get(FAST_HASH_ENV) == "1" else _PRODUCTION


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True only if `password` matches; False for a mismatch or a hash that is not Argon2."""
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError, ValueError, TypeError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other parameters (or cannot be read) than today's."""
    try:
        return _hasher().check_needs_rehash(stored_hash)
    except (InvalidHashError, ValueError, TypeError):
        return True
