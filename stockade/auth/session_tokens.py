"""Session tokens: temporary credentials that any node verifies without a lookup.

A temporary credential is an `ASIA…` access key id, a secret access key and a session token.
The token carries everything a node needs to check a request signed with the credential and to
know who signed it — the secret itself included — sealed with AES-256-GCM::

    token = base64url( key id (1 byte) ‖ nonce (12 bytes) ‖ AES-GCM(claims as JSON) ‖ tag )

under a key derived with HKDF-SHA256 from the server's master key for this purpose only
(`SecretBox.derive("session-token")`), with the access key id as associated data. So:

- a token opens only on a node holding the same master key, and only together with the access
  key id it was issued with (a token moved to another key id does not open);
- any change to a token, one bit or a whole claim, fails the GCM tag: tampering is detected and
  the claims cannot be read without the key (the secret access key inside stays secret);
- expiry is a claim, checked by whoever opens the token (`SessionClaims.expired`); revocation
  works as on AWS, by policy (`aws:TokenIssueTime`), not by a list of tokens.

Rotation comes from `SecretBox`: the key id byte names the master key that sealed a token.

`ASIA` key ids carry the account id as AWS's do (40 bits of the 80 after the prefix; the other
40 are random), which lets GetAccessKeyInfo answer for a temporary key without its token.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

from stockade.auth.secrets import SecretBox, SecretsError

__all__ = [
    "SessionClaims",
    "SessionKind",
    "TokenError",
    "TokenSealer",
    "account_of_temporary_key",
    "new_temporary_key_id",
]

_PURPOSE = "session-token"
_FORMAT = 1
_MAX_TOKEN_CHARS = 16_384  # far above any token Stockade issues; refuses junk before decoding
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
TEMPORARY_PREFIX = "ASIA"


class TokenError(Exception):
    """A token that does not open or does not hold valid claims. Never says which."""


class SessionKind(StrEnum):
    USER = "user"  # GetSessionToken by an IAM user: the user itself, with session context
    ROOT = "root"  # GetSessionToken by the root user
    ROLE = "role"  # a role session (AssumeRole, AssumeRoleWithWebIdentity, AssumeRoleWithSAML)
    FEDERATED = "federated"  # GetFederationToken: a federated user


@dataclass(frozen=True, slots=True)
class SessionClaims:
    """What a session token says. Times are whole seconds since the epoch (UTC)."""

    access_key_id: str
    secret_access_key: str
    account_id: str
    kind: SessionKind
    # The user id (USER; FEDERATED when an IAM user asked), the role id (ROLE), or None (ROOT;
    # FEDERATED when the root user asked).
    subject_id: str | None
    name: str  # user name, role name or federated user name; "" for the root user
    session_name: str | None  # a role session's name
    issued_at: int
    expires_at: int
    mfa_at: int | None = None  # when MFA was verified for this session; None: no MFA
    tags: tuple[tuple[str, str], ...] = ()  # session tags, in the order given
    transitive_tag_keys: tuple[str, ...] = ()
    policy: str | None = None  # inline session policy
    policy_arns: tuple[str, ...] = ()  # managed session policies
    source_identity: str | None = None
    chained: bool = False  # issued to a role session (role chaining)
    issuer: str = ""  # the operation that issued it (AssumeRole, GetSessionToken, ...)

    def expired(self, now: datetime) -> bool:
        return now.timestamp() >= self.expires_at

    @property
    def mfa_authenticated(self) -> bool:
        return self.mfa_at is not None


_FIELDS: dict[str, tuple[str, type | tuple[type, ...]]] = {
    # claim → (JSON name, accepted JSON types); short names keep tokens short.
    "access_key_id": ("k", str),
    "secret_access_key": ("s", str),
    "account_id": ("a", str),
    "kind": ("t", str),
    "subject_id": ("i", (str, type(None))),
    "name": ("n", str),
    "session_name": ("sn", (str, type(None))),
    "issued_at": ("ia", int),
    "expires_at": ("ex", int),
    "mfa_at": ("m", (int, type(None))),
    "tags": ("tg", list),
    "transitive_tag_keys": ("tt", list),
    "policy": ("p", (str, type(None))),
    "policy_arns": ("pa", list),
    "source_identity": ("si", (str, type(None))),
    "chained": ("c", bool),
    "issuer": ("o", str),
}


def _to_json(claims: SessionClaims) -> str:
    body: dict[str, Any] = {"v": _FORMAT}
    for attribute, (short, _) in _FIELDS.items():
        value = getattr(claims, attribute)
        if attribute == "tags":
            value = [list(pair) for pair in value]
        elif isinstance(value, tuple):
            value = list(value)
        body[short] = value
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def _from_json(text: str) -> SessionClaims:
    try:
        body = json.loads(text)
    except ValueError:
        raise TokenError from None
    if not isinstance(body, dict) or body.get("v") != _FORMAT:
        raise TokenError
    values: dict[str, Any] = {}
    for attribute, (short, accepted) in _FIELDS.items():
        value = body.get(short)
        # bool is an int in Python: an int claim must not accept true/false, nor the reverse.
        if not isinstance(value, accepted) or (
            isinstance(value, bool) and attribute not in ("chained",)
        ):
            raise TokenError
        values[attribute] = value
    try:
        values["kind"] = SessionKind(values["kind"])
        values["tags"] = tuple((str(k), str(v)) for k, v in values["tags"])
    except (ValueError, TypeError):
        raise TokenError from None
    values["transitive_tag_keys"] = tuple(str(key) for key in values["transitive_tag_keys"])
    values["policy_arns"] = tuple(str(arn) for arn in values["policy_arns"])
    return SessionClaims(**values)


class TokenSealer:
    """Seals claims into session tokens and opens them, with a key derived for this purpose."""

    __slots__ = ("_box", "_opened")

    def __init__(self, master: SecretBox, cache_size: int = 4096) -> None:
        self._box = master.derive(_PURPOSE)
        # A client signs many requests with one token: each distinct token is decrypted and
        # parsed once (about 50 µs), then found by its text. Only tokens that opened are kept,
        # keyed by the token and the key id together, so the cache decides nothing new.
        self._opened = lru_cache(maxsize=cache_size)(self._open)

    def __repr__(self) -> str:
        return "TokenSealer()"

    def seal(self, claims: SessionClaims) -> str:
        sealed = self._box.seal(_to_json(claims), claims.access_key_id)
        return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode("ascii")

    def open(self, token: str, access_key_id: str) -> SessionClaims:
        """The claims of `token`, issued with `access_key_id`; TokenError if it does not open.

        Expiry is not checked here: the caller decides what "now" is and which error to give.
        """
        return self._opened(token, access_key_id)

    def _open(self, token: str, access_key_id: str) -> SessionClaims:
        if not token or len(token) > _MAX_TOKEN_CHARS:
            raise TokenError
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            # One spelling per token: no stray characters or padding bits that decoding drops.
            if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != token:
                raise ValueError
            text = self._box.open(raw, access_key_id)
        except (binascii.Error, ValueError, SecretsError):
            raise TokenError from None
        claims = _from_json(text)
        if claims.access_key_id != access_key_id:
            raise TokenError
        return claims


def new_temporary_key_id(account_id: str) -> str:
    """`ASIA` + 16 base-32 characters: the account id in 40 bits, then 40 random bits."""
    value = (int(account_id) << 40) | secrets.randbits(40)
    chars = [_BASE32[(value >> shift) & 31] for shift in range(75, -1, -5)]
    return TEMPORARY_PREFIX + "".join(chars)


def account_of_temporary_key(access_key_id: str) -> str | None:
    """The account id an `ASIA` key id carries; None if it is not one of Stockade's."""
    body = access_key_id[len(TEMPORARY_PREFIX) :]
    if not access_key_id.startswith(TEMPORARY_PREFIX) or len(body) != 16:
        return None
    value = 0
    for char in body:
        index = _BASE32.find(char)
        if index < 0:
            return None
        value = (value << 5) | index
    account = value >> 40
    if not 10**11 <= account < 10**12:
        return None
    return f"{account:012d}"
