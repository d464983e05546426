"""Access key id (+ session token) → the secret that verifies a signature and who it speaks for.

One function, `resolve_credentials`, answers this for every request Stockade authenticates: its
own callers' (`Stockade.Authorize`) and the requests a service forwards to it. Temporary
credentials (`ASIA…` ids with a session token) plug in here, so whatever can use long-term keys
can use them too. The secret stays inside Stockade: it is returned only to the SigV4 verifier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from stockade.api.context import Caller, Services
from stockade.identity import entities, keys, names
from stockade.identity.entities import USER

_INVALID_TOKEN = "The security token included in the request is invalid."


class CredentialError(Exception):
    """Credentials that cannot be used; `code` is AWS's (InvalidClientTokenId, ExpiredToken)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class ResolvedCredentials:
    """What an access key id stands for, before its signature is checked."""

    access_key_id: str
    secret: str
    caller: Caller
    last_used_at: datetime | None
    # Condition keys a session carries (MFA, token issue time, session tags); none for long-term
    # keys, whose global keys come from the caller alone.
    session_context: dict[str, Any] = field(default_factory=dict)


def resolve_credentials(
    tx: Connection, services: Services, access_key_id: str, session_token: str | None
) -> ResolvedCredentials:
    """The key's secret and caller, or `CredentialError` exactly as AWS words it.

    Long-term keys (`AKIA…`) are looked up and must be Active; a session token sent with one is
    refused, as AWS refuses it.
    """
    if session_token is not None:
        # Long-term keys carry no token; temporary credentials are resolved by the STS work.
        raise CredentialError("InvalidClientTokenId", _INVALID_TOKEN)
    owner = keys.owner(tx, services.box, access_key_id)
    if owner is None or owner.status != "Active":
        raise CredentialError("InvalidClientTokenId", _INVALID_TOKEN)
    return ResolvedCredentials(
        owner.access_key_id,
        owner.secret,
        _caller(tx, owner),
        owner.last_used_at,
    )


def _caller(tx: Connection, owner: keys.KeyOwner) -> Caller:
    if owner.user_id is None:
        return Caller(owner.account_id, names.root_arn(owner.account_id), None, owner.access_key_id)
    row = entities.get_by_id(tx, USER, owner.user_id)
    if row is None:  # the user went with its key; same answer as an unknown key
        raise CredentialError("InvalidClientTokenId", _INVALID_TOKEN)
    return Caller(owner.account_id, USER.arn(owner.account_id, row), row, owner.access_key_id)
