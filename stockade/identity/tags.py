"""Tags on users, roles, policies, MFA devices, instance profiles, providers and certificates:
at most 50 per resource, keys unique regardless of case, the `aws:` prefix reserved."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, bindparam, select

from stockade.identity.accounts import bump_generation
from stockade.identity.errors import InvalidInput, LimitExceeded
from stockade.identity.quotas import Quotas
from stockade.store import schema as t
from stockade.store.hot import HotSelect

_LIST = HotSelect(
    select(t.tags.c.key, t.tags.c.value)
    .where(t.tags.c.resource_arn == bindparam("arn"))
    .order_by(t.tags.c.key_key)
)  # built once: the request path reads the target's tags


def list_tags(tx: Connection, resource_arn: str) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in _LIST.rows(tx, {"arn": resource_arn})]


def tag(
    tx: Connection,
    account_id: str,
    resource_arn: str,
    new_tags: Iterable[Mapping[str, Any]],
    quotas: Quotas,
) -> None:
    given: dict[str, tuple[str, str]] = {}
    for item in new_tags:
        key, value = str(item["Key"]), str(item.get("Value") or "")
        if key.lower().startswith("aws:"):
            raise InvalidInput("User-defined tag keys can't start with 'aws:'.")
        if key.lower() in given:
            raise InvalidInput(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive."
            )
        given[key.lower()] = (key, value)
    existing = {tag["Key"].lower() for tag in list_tags(tx, resource_arn)}
    if len(existing | set(given)) > quotas.tags_per_resource:
        raise LimitExceeded(
            f"The number of tags has reached the maximum limit of {quotas.tags_per_resource}."
        )
    for key_key, (key, value) in given.items():
        tx.execute(
            t.tags.delete().where(
                t.tags.c.resource_arn == resource_arn, t.tags.c.key_key == key_key
            )
        )
        tx.execute(
            t.tags.insert().values(
                account_id=account_id,
                resource_arn=resource_arn,
                key_key=key_key,
                key=key,
                value=value,
            )
        )
    _principal_tags_changed(tx, resource_arn)


def untag(tx: Connection, resource_arn: str, keys: Iterable[str]) -> None:
    lowered = [k.lower() for k in keys]
    tx.execute(
        t.tags.delete().where(t.tags.c.resource_arn == resource_arn, t.tags.c.key_key.in_(lowered))
    )
    _principal_tags_changed(tx, resource_arn)


def _principal_tags_changed(tx: Connection, resource_arn: str) -> None:
    """A user's or role's tags are its aws:PrincipalTag/* keys, which callers' cached state holds:
    changing them must move the account's generation like any other IAM change."""
    parts = resource_arn.split(":", 5)
    if len(parts) == 6 and parts[5].startswith(("user/", "role/")):
        bump_generation(tx, parts[4])


def drop_all(tx: Connection, resource_arn: str) -> None:
    tx.execute(t.tags.delete().where(t.tags.c.resource_arn == resource_arn))
