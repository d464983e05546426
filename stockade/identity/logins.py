"""Console passwords (login profiles), ChangePassword, and the account password policy."""

from __future__ import annotations

import string
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from stockade.auth.passwords import hash_password, verify_password
from stockade.identity.accounts import bump_generation, get_password_policy
from stockade.identity.clock import now
from stockade.identity.errors import (
    EntityAlreadyExists,
    InvalidInput,
    NoSuchEntity,
    PasswordPolicyViolation,
)
from stockade.store import schema as t


def check_password(tx: Connection, account_id: str, password: str) -> None:
    """Enforce the account password policy; AWS's message lists what is missing."""
    policy = get_password_policy(tx, account_id) or {}
    problems = []
    minimum = int(policy.get("MinimumPasswordLength", 8))
    if len(password) < minimum:
        problems.append(f"Password should have at least {minimum} characters")
    checks = (
        ("RequireUppercaseCharacters", string.ascii_uppercase, "one uppercase character"),
        ("RequireLowercaseCharacters", string.ascii_lowercase, "one lowercase character"),
        ("RequireNumbers", string.digits, "one number"),
        ("RequireSymbols", "!@#$%^&*()_+-=[]{}|'", "one symbol"),
    )
    for setting, alphabet, words in checks:
        if policy.get(setting) and not any(c in alphabet for c in password):
            problems.append(f"Password should have at least {words}")
    if problems:
        raise PasswordPolicyViolation(
            "Password does not conform to the account password policy: " + "; ".join(problems)
        )


def _profile(tx: Connection, user_id: str) -> dict[str, Any] | None:
    row = (
        tx.execute(select(t.login_profiles).where(t.login_profiles.c.user_id == user_id))
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


def view(user_name: str, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "UserName": user_name,
        "CreateDate": row["created_at"],
        "PasswordResetRequired": row["password_reset_required"],
    }


def create_profile(
    tx: Connection,
    account_id: str,
    user_id: str,
    user_name: str,
    password: str,
    reset_required: bool,
) -> dict[str, Any]:
    if _profile(tx, user_id) is not None:
        raise EntityAlreadyExists(f"Login Profile for user {user_name} already exists.")
    check_password(tx, account_id, password)
    moment = now()
    row = {
        "user_id": user_id,
        "password_hash": hash_password(password),
        "password_reset_required": reset_required,
        "created_at": moment,
        "password_changed_at": moment,
    }
    tx.execute(t.login_profiles.insert().values(**row))
    return view(user_name, row)


def get_profile(tx: Connection, user_id: str, user_name: str) -> dict[str, Any]:
    row = _profile(tx, user_id)
    if row is None:
        raise NoSuchEntity(f"Login Profile for User {user_name} cannot be found.")
    return view(user_name, row)


def update_profile(
    tx: Connection,
    account_id: str,
    user_id: str,
    user_name: str,
    password: str | None,
    reset_required: bool | None,
) -> None:
    get_profile(tx, user_id, user_name)
    values: dict[str, Any] = {}
    if password is not None:
        check_password(tx, account_id, password)
        values.update(password_hash=hash_password(password), password_changed_at=now())
    if reset_required is not None:
        values["password_reset_required"] = reset_required
    if values:
        tx.execute(
            update(t.login_profiles).where(t.login_profiles.c.user_id == user_id).values(**values)
        )


def delete_profile(tx: Connection, user_id: str, user_name: str) -> None:
    get_profile(tx, user_id, user_name)
    tx.execute(t.login_profiles.delete().where(t.login_profiles.c.user_id == user_id))


def change_password(
    tx: Connection, account_id: str, user_id: str, user_name: str, old: str, new: str
) -> None:
    row = _profile(tx, user_id)
    if row is None:
        raise NoSuchEntity(f"Login Profile for User {user_name} cannot be found.")
    if not verify_password(row["password_hash"], old):
        raise InvalidInput("The old password was incorrect.")
    check_password(tx, account_id, new)
    tx.execute(
        update(t.login_profiles)
        .where(t.login_profiles.c.user_id == user_id)
        .values(
            password_hash=hash_password(new),
            password_changed_at=now(),
            password_reset_required=False,
        )
    )


# AWS: "If a password is used more than once in a five-minute span, only the first use is
# returned" (GetUser's PasswordLastUsed, the credential report's password_last_used).
PASSWORD_USE_GRANULARITY = timedelta(minutes=5)


def record_password_use(tx: Connection, account_id: str, user_id: str | None) -> None:
    """A successful console sign-in with the password of `user_id` (None: the root user); the
    console calls this, and the credential report and GetUser show it."""
    moment = now()
    if user_id is None:
        table, condition = t.accounts, t.accounts.c.account_id == account_id
        column = t.accounts.c.root_password_last_used
    else:
        table, condition = t.users, t.users.c.user_id == user_id
        column = t.users.c.password_last_used
    previous = tx.execute(select(column).where(condition)).scalar()
    if previous is not None and moment - previous < PASSWORD_USE_GRANULARITY:
        return
    tx.execute(update(table).where(condition).values({column.name: moment}))
    bump_generation(tx, account_id)  # servers answer GetUser from rows held per generation
