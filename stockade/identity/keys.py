"""Access keys: the secret is returned once, stored sealed, and compared only by SigV4."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from stockade.auth.identifiers import new_access_key_id, new_secret_access_key
from stockade.auth.secrets import SecretBox, SecretsError
from stockade.identity.accounts import bump_generation
from stockade.identity.clock import now
from stockade.identity.errors import LimitExceeded, NoSuchEntity
from stockade.identity.quotas import Quotas
from stockade.store import schema as t
from stockade.store.generations import Generations
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


@dataclass(frozen=True, slots=True)
class _SealedOwner:
    """A key's row as read, its secret still sealed: what `KeyOwners` holds in memory."""

    access_key_id: str
    account_id: str
    user_id: str | None
    status: str
    sealed: bytes
    last_used_at: datetime | None
    generation: int

    def open(self, box: SecretBox) -> KeyOwner | None:
        try:
            secret = box.open(self.sealed, self.access_key_id)
        except SecretsError:
            return None
        return KeyOwner(
            self.access_key_id,
            self.account_id,
            self.user_id,
            self.status,
            secret,
            self.last_used_at,
            self.generation,
        )


def _read_owner(tx: Connection, access_key_id: str) -> _SealedOwner | None:
    row = _OWNER.first(tx, {"key_id": access_key_id})
    if row is None:
        return None
    account_id, user_id, status, sealed, last_used_at, account_generation = row
    return _SealedOwner(
        access_key_id,
        account_id,
        user_id,
        status,
        sealed,
        last_used_at,
        int(account_generation or 0),
    )


class KeyOwners:
    """Access keys as last read, reused while their account's generation stands.

    The generation comes from `Generations`, which a server keeps current (PostgreSQL's
    notices, SQLite's data_version): there a request whose key is held reads nothing to
    authenticate. Elsewhere (the command line, a lost listener) every lookup reads the key and
    its account's generation in one statement. Every
    change to a key's status or existence moves the generation (`set_status`, `delete_key`);
    a key not found is never held, so a new key is found on its first use. Secrets stay sealed
    in memory and are opened on each use.
    """

    def __init__(self, generations: Generations, size: int = 10_000) -> None:
        self._generations = generations
        self._size = size
        self._held: dict[str, _SealedOwner] = {}
        self._lock = threading.Lock()

    def owner(self, tx: Connection, box: SecretBox, access_key_id: str) -> KeyOwner | None:
        held = self._held.get(access_key_id)
        if held is not None and self._generations.current(held.account_id) == held.generation:
            return held.open(box)
        epoch = self._generations.epoch
        found = _read_owner(tx, access_key_id)
        if found is None:
            return None
        self._generations.saw(found.account_id, found.generation, epoch)
        self._hold(found)
        return found.open(box)

    def answers(self, access_key_id: str, when: datetime) -> bool:
        """Whether a request signed with the key at `when` needs no read or write for it: the
        key is held under its account's current generation and its use is recorded."""
        held = self._held.get(access_key_id)
        return (
            held is not None
            and self._generations.current(held.account_id) == held.generation
            and not use_due(held.last_used_at, when)
        )

    def used(self, access_key_id: str, when: datetime) -> None:
        """This node recorded the key's use (`record_use`): the next is due a granule later."""
        held = self._held.get(access_key_id)
        if held is not None:
            self._hold(replace(held, last_used_at=when))

    def _hold(self, found: _SealedOwner) -> None:
        with self._lock:
            self._held.pop(found.access_key_id, None)
            self._held[found.access_key_id] = found  # newest last: evicted last
            while len(self._held) > self._size:
                del self._held[next(iter(self._held))]


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
    bump_generation(tx, account_id)  # servers hold keys per generation (KeyOwners)


def delete_key(tx: Connection, account_id: str, user_id: str | None, key_id: str) -> None:
    _key_row(tx, account_id, user_id, key_id)
    tx.execute(t.access_keys.delete().where(t.access_keys.c.access_key_id == key_id))
    bump_generation(tx, account_id)  # servers hold keys per generation (KeyOwners)


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


def use_due(previous: datetime | None, when: datetime) -> bool:
    """Whether a use at `when` is to be recorded, the last recorded being `previous`."""
    return previous is None or when - previous >= LAST_USED_GRANULARITY


def record_use(
    tx: Connection,
    key_id: str,
    service: str,
    region: str,
    when: datetime,
    previous: datetime | None,
) -> None:
    """Write last use only when it moves past the granularity."""
    if not use_due(previous, when):
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
