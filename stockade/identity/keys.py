"""Access keys: the secret is returned once, stored sealed, and compared only by SigV4."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from stockade.auth.identifiers import new_access_key_id, new_secret_access_key
from stockade.auth.secrets import SecretBox, SecretsError
from stockade.identity.clock import now
from stockade.identity.errors import LimitExceeded, NoSuchEntity
from stockade.identity.quotas import Quotas
from stockade.store import schema as t
from stockade.store.hot import HotSelect

# AWS records last use at a coarse granularity; so does Stockade, which also spares a write on
# every request.
LAST_USED_GRANULARITY = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class KeyOwner:
    """What a verified access key id stands for."""

    access_key_id: str
    account_id: str
    user_id: str | None  # None: the root user
    status: str
    secret: str
    last_used_at: datetime | None
    generation: int  # the account's, read with the key: what the caller's cached state is valid for


def create_key(
    tx: Connection,
    box: SecretBox,
    account_id: str,
    user_id: str | None,
    user_name: str,
    quotas: Quotas,
) -> dict[str, Any]:
    count = tx.execute(
        select(func.count())
        .select_from(t.access_keys)
        .where(
            t.access_keys.c.account_id == account_id,
            t.access_keys.c.user_id.is_(None)
            if user_id is None
            else t.access_keys.c.user_id == user_id,
        )
    ).scalar_one()
    if count >= quotas.access_keys_per_user:
        raise LimitExceeded(
            f"Cannot exceed quota for AccessKeysPerUser: {quotas.access_keys_per_user}"
        )
    key_id = new_access_key_id()
    secret = new_secret_access_key()
    moment = now()
    tx.execute(
        t.access_keys.insert().values(
            access_key_id=key_id,
            account_id=account_id,
            user_id=user_id,
            secret_sealed=box.seal(secret, key_id),
            status="Active",
            created_at=moment,
        )
    )
    return {
        "UserName": user_name,
        "AccessKeyId": key_id,
        "Status": "Active",
        "SecretAccessKey": secret,
        "CreateDate": moment,
    }


# Built once: every signed request runs it, and building a statement costs more than running it.
# The account's generation comes in the same statement, so a request whose caller is cached
# needs no other read to know the cache is still good.
_OWNER = HotSelect(
    select(
        t.access_keys.c.account_id,
        t.access_keys.c.user_id,
        t.access_keys.c.status,
        t.access_keys.c.secret_sealed,
        t.access_keys.c.last_used_at,
        t.accounts.c.generation,
    )
    .join(t.accounts, t.accounts.c.account_id == t.access_keys.c.account_id)
    .where(t.access_keys.c.access_key_id == bindparam("key_id"))
)


def owner(tx: Connection, box: SecretBox, access_key_id: str) -> KeyOwner | None:
    row = _OWNER.first(tx, {"key_id": access_key_id})
    if row is None:
        return None
    account_id, user_id, status, sealed, last_used_at, account_generation = row
    try:
        secret = box.open(sealed, access_key_id)
    except SecretsError:
        return None
    return KeyOwner(
        access_key_id,
        account_id,
        user_id,
        status,
        secret,
        last_used_at,
        int(account_generation or 0),
    )


def _key_row(tx: Connection, account_id: str, user_id: str | None, key_id: str) -> dict[str, Any]:
    row = (
        tx.execute(
            select(t.access_keys).where(
                t.access_keys.c.account_id == account_id, t.access_keys.c.access_key_id == key_id
            )
        )
        .mappings()
        .first()
    )
    if row is None or row["user_id"] != user_id:
        raise NoSuchEntity(f"The Access Key with id {key_id} cannot be found.")
    return dict(row)


def list_keys(
    tx: Connection, account_id: str, user_id: str | None, user_name: str
) -> list[dict[str, Any]]:
    condition = (
        t.access_keys.c.user_id.is_(None) if user_id is None else t.access_keys.c.user_id == user_id
    )
    rows = tx.execute(
        select(t.access_keys)
        .where(t.access_keys.c.account_id == account_id, condition)
        .order_by(t.access_keys.c.created_at)
    ).mappings()
    return [
        {
            "UserName": user_name,
            "AccessKeyId": r["access_key_id"],
            "Status": r["status"],
            "CreateDate": r["created_at"],
        }
        for r in rows
    ]


def set_status(
    tx: Connection, account_id: str, user_id: str | None, key_id: str, status: str
) -> None:
    _key_row(tx, account_id, user_id, key_id)
    tx.execute(
        update(t.access_keys).where(t.access_keys.c.access_key_id == key_id).values(status=status)
    )


def delete_key(tx: Connection, account_id: str, user_id: str | None, key_id: str) -> None:
    _key_row(tx, account_id, user_id, key_id)
    tx.execute(t.access_keys.delete().where(t.access_keys.c.access_key_id == key_id))


def last_used(tx: Connection, account_id: str, key_id: str) -> dict[str, Any]:
    row = (
        tx.execute(
            select(t.access_keys).where(
                t.access_keys.c.access_key_id == key_id, t.access_keys.c.account_id == account_id
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NoSuchEntity(f"The Access Key with id {key_id} cannot be found.")
    return {
        "LastUsedDate": row["last_used_at"],
        "ServiceName": row["last_used_service"] or "N/A",
        "Region": row["last_used_region"] or "N/A",
    }


def record_use(
    tx: Connection,
    key_id: str,
    service: str,
    region: str,
    when: datetime,
    previous: datetime | None,
) -> None:
    """Write last use only when it moves past the granularity."""
    if previous is not None and when - previous < LAST_USED_GRANULARITY:
        return
    tx.execute(
        update(t.access_keys)
        .where(t.access_keys.c.access_key_id == key_id)
        .values(last_used_at=when, last_used_service=service, last_used_region=region)
    )


def user_of_key(tx: Connection, account_id: str, key_id: str) -> str | None:
    row = tx.execute(
        select(t.access_keys.c.user_id).where(
            t.access_keys.c.access_key_id == key_id, t.access_keys.c.account_id == account_id
        )
    ).first()
    if row is None:
        raise NoSuchEntity(f"The Access Key with id {key_id} cannot be found.")
    return row[0] if row[0] is None else str(row[0])


def account_of_key(tx: Connection, key_id: str) -> str | None:
    """The account a long-term access key belongs to (GetAccessKeyInfo); None if unknown."""
    row = tx.execute(
        select(t.access_keys.c.account_id).where(t.access_keys.c.access_key_id == key_id)
    ).first()
    return None if row is None else str(row[0])
