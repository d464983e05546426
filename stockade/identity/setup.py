"""First run: the account, its root user, and (for automation) an administrator with keys."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import Connection

from stockade.auth.passwords import hash_password
from stockade.auth.secrets import SecretBox
from stockade.identity import accounts, keys, policies, users
from stockade.identity.entities import USER
from stockade.identity.quotas import Quotas

ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"


def ensure_account(tx: Connection, account_id: str | None, new_id: str) -> tuple[str, str | None]:
    """The account this server serves, created on first start: (account id, one-time setup token
    when the root user still has no password)."""
    existing = accounts.served_account_ids(tx)
    if existing:
        account = accounts.get_account(tx, existing[0])
        if account["root_password_hash"]:
            return existing[0], None
        token = secrets.token_urlsafe(32)
        accounts.set_setup_token(tx, existing[0], token)
        return existing[0], token
    chosen = account_id or new_id
    accounts.create_account(tx, chosen)
    token = secrets.token_urlsafe(32)
    accounts.set_setup_token(tx, chosen, token)
    return chosen, token


def initialise(
    tx: Connection,
    box: SecretBox,
    quotas: Quotas,
    *,
    account_id: str,
    root_email: str,
    root_password: str,
    admin_user: str | None = None,
    root_access_key: bool = False,
) -> dict[str, Any]:
    """What `stockade init` does, in one transaction; returns the secrets to show once."""
    accounts.create_account(tx, account_id, root_email=root_email)
    accounts.set_root_credentials(tx, account_id, root_email, hash_password(root_password))
    result: dict[str, Any] = {"AccountId": account_id}
    if admin_user:
        user = users.create_user(tx, account_id, admin_user, "/", quotas)
        row = users.get_user(tx, account_id, admin_user)
        policies.attach(tx, account_id, USER, row["user_id"], ADMINISTRATOR_ACCESS, quotas)
        key = keys.create_key(tx, box, account_id, row["user_id"], user["UserName"], quotas)
        result["AdminUser"] = {
            "UserName": user["UserName"],
            "AccessKeyId": key["AccessKeyId"],
            "SecretAccessKey": key["SecretAccessKey"],
        }
    if root_access_key:
        key = keys.create_key(tx, box, account_id, None, account_id, quotas)
        result["RootAccessKey"] = {
            "AccessKeyId": key["AccessKeyId"],
            "SecretAccessKey": key["SecretAccessKey"],
        }
    return result
