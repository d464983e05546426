"""The account: creation, root user, alias, password policy, settings, and the generation counter
that tells caches an account's IAM state changed."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from stockade.identity.clock import now
from stockade.identity.errors import EntityAlreadyExists, NoSuchEntity
from stockade.store import schema as t
from stockade.store.generations import Generations as Generations  # handlers' name for it
from stockade.store.generations import note_move


def create_account(tx: Connection, account_id: str, *, root_email: str | None = None) -> None:
    if tx.execute(
        select(t.accounts.c.account_id).where(t.accounts.c.account_id == account_id)
    ).first():
        raise EntityAlreadyExists(f"Account {account_id} already exists.")
    tx.execute(
        t.accounts.insert().values(
            account_id=account_id,
            root_email=root_email,
            billing_access_for_iam=False,
            read_only_mirror=False,
            generation=0,
            created_at=now(),
        )
    )


def get_account(tx: Connection, account_id: str) -> dict[str, Any]:
    row = (
        tx.execute(select(t.accounts).where(t.accounts.c.account_id == account_id))
        .mappings()
        .first()
    )
    if row is None:
        raise NoSuchEntity(f"Account {account_id} does not exist.")
    return dict(row)


def list_account_ids(tx: Connection) -> list[str]:
    """Every account of the store, oldest first, read-only mirrors included."""
    return list(
        tx.execute(select(t.accounts.c.account_id).order_by(t.accounts.c.created_at)).scalars()
    )


def served_account_ids(tx: Connection) -> list[str]:
    """The accounts this server serves, oldest first: not the imported read-only mirrors (see
    stockade.identity.mirror), which nobody signs in to."""
    query = select(t.accounts.c.account_id).where(t.accounts.c.read_only_mirror.is_(False))
    return list(tx.execute(query.order_by(t.accounts.c.created_at)).scalars())


_GENERATION = select(t.accounts.c.generation).where(
    t.accounts.c.account_id == bindparam("account_id")
)  # built once: read on every authorized request


def generation(tx: Connection, account_id: str) -> int:
    value = tx.execute(_GENERATION, {"account_id": account_id}).scalar_one_or_none()
    return int(value or 0)


def current_generation(tx: Connection, generations: Generations, account_id: str) -> int:
    """The account's generation: as this process heard it when it can tell, read otherwise."""
    known = generations.current(account_id)
    if known is not None:
        return known
    epoch = generations.epoch
    value = generation(tx, account_id)
    generations.saw(account_id, value, epoch)
    return value


def bump_generation(tx: Connection, account_id: str) -> None:
    """Called by every change to users, groups, roles, policies or access keys: caches keyed by
    the generation (compiled policy sets, callers, keys, on every node) then rebuild."""
    moved = tx.execute(
        update(t.accounts)
        .where(t.accounts.c.account_id == account_id)
        .values(generation=t.accounts.c.generation + 1)
        .returning(t.accounts.c.generation)
    ).scalar_one_or_none()
    if moved is not None:
        note_move(tx, account_id, int(moved))


def set_root_credentials(tx: Connection, account_id: str, email: str, password_hash: str) -> None:
    tx.execute(
        update(t.accounts)
        .where(t.accounts.c.account_id == account_id)
        .values(root_email=email, root_password_hash=password_hash, setup_token_hash=None)
    )


def set_setup_token(tx: Connection, account_id: str, token: str) -> None:
    tx.execute(
        update(t.accounts)
        .where(t.accounts.c.account_id == account_id)
        .values(setup_token_hash=hashlib.sha256(token.encode()).hexdigest())
    )


# -- alias -----------------------------------------------------------------------------------
def list_aliases(tx: Connection, account_id: str) -> list[str]:
    alias = get_account(tx, account_id)["alias"]
    return [alias] if alias else []


def create_alias(tx: Connection, account_id: str, alias: str) -> None:
    taken = tx.execute(select(t.accounts.c.account_id).where(t.accounts.c.alias == alias)).first()
    if taken is not None and taken[0] != account_id:
        raise EntityAlreadyExists(f"The account alias {alias} already exists.")
    tx.execute(update(t.accounts).where(t.accounts.c.account_id == account_id).values(alias=alias))


def delete_alias(tx: Connection, account_id: str, alias: str) -> None:
    if get_account(tx, account_id)["alias"] != alias:
        raise NoSuchEntity(f"The account alias {alias} cannot be found.")
    tx.execute(update(t.accounts).where(t.accounts.c.account_id == account_id).values(alias=None))


# -- password policy -------------------------------------------------------------------------
PASSWORD_POLICY_DEFAULTS: dict[str, Any] = {
    "MinimumPasswordLength": 6,
    "RequireSymbols": False,
    "RequireNumbers": False,
    "RequireUppercaseCharacters": False,
    "RequireLowercaseCharacters": False,
    "AllowUsersToChangePassword": False,
    "HardExpiry": False,
}


def get_password_policy(tx: Connection, account_id: str) -> dict[str, Any] | None:
    policy = get_account(tx, account_id)["password_policy"]
    return dict(policy) if policy else None


def update_password_policy(tx: Connection, account_id: str, settings: dict[str, Any]) -> None:
    """UpdateAccountPasswordPolicy has no partial updates: what is not given takes its default."""
    policy = {**PASSWORD_POLICY_DEFAULTS}
    for key in (*PASSWORD_POLICY_DEFAULTS, "MaxPasswordAge", "PasswordReusePrevention"):
        if settings.get(key) is not None:
            policy[key] = settings[key]
    tx.execute(
        update(t.accounts)
        .where(t.accounts.c.account_id == account_id)
        .values(password_policy=policy)
    )


def delete_password_policy(tx: Connection, account_id: str) -> None:
    if get_password_policy(tx, account_id) is None:
        raise NoSuchEntity(f"The Password Policy with domain name {account_id} cannot be found.")
    tx.execute(
        update(t.accounts).where(t.accounts.c.account_id == account_id).values(password_policy=None)
    )


def set_billing_access(tx: Connection, account_id: str, enabled: bool) -> None:
    tx.execute(
        update(t.accounts)
        .where(t.accounts.c.account_id == account_id)
        .values(billing_access_for_iam=enabled)
    )
