"""What the offline policy commands read from a Stockade store: a principal's policies (for
`policy simulate --account`) and a managed policy's versions (for `policy diff --account`).
The account is named by its mirror name or by its id, live or mirror alike."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from stockade.policy import Policies, Principal, PrincipalType

if TYPE_CHECKING:
    from sqlalchemy import Connection


class StoredError(Exception):
    """The account, principal or policy asked for is not in the store: one line for the user."""


@dataclass(frozen=True, slots=True)
class StoredPrincipal:
    principal: Principal
    policies: Policies
    context: dict[str, str]  # what the principal's row adds: aws:userid, aws:PrincipalTag/…


def _account_id(tx: Connection, name_or_id: str) -> str:
    from stockade.identity import accounts, mirror
    from stockade.identity.errors import NoSuchEntity

    found = mirror.find(tx, name_or_id)
    if found is not None:
        return str(found["account_id"])
    try:
        accounts.get_account(tx, name_or_id)
    except NoSuchEntity:
        raise StoredError(f"no account or mirror named {name_or_id} in this store") from None
    return name_or_id


def load_principal(args: argparse.Namespace, principal_arn: str) -> StoredPrincipal:
    """The user's or role's policies, as Stockade authorizes (and simulates) it."""
    from stockade.cli.server import open_store
    from stockade.identity import entities, simulation, tags
    from stockade.identity.entities import KINDS, ROLE
    from stockade.identity.errors import InvalidInput
    from stockade.identity.principals import principal_policies

    try:
        entity = simulation.entity_arn(principal_arn, "--principal")
    except InvalidInput as exc:
        raise StoredError(exc.message) from None
    if entity.kind == "group":
        raise StoredError("--principal names a group; a group makes no requests (name a user)")
    store, _ = open_store(args)
    with store.read() as tx:
        account_id = _account_id(tx, args.account)
        if entity.account_id != account_id:
            raise StoredError(f"{principal_arn} is not in account {account_id}")
        kind = KINDS[entity.kind]
        row = entities.find(tx, kind, account_id, entity.name)
        if row is None or kind.arn(account_id, row) != principal_arn:
            raise StoredError(f"no {kind.label} {principal_arn} in account {account_id}")
        policies = principal_policies(tx, account_id, kind, row).compiled()
        context = {
            f"aws:PrincipalTag/{tag['Key']}": str(tag["Value"])
            for tag in tags.list_tags(tx, principal_arn)
        }
    store.close()
    entity_id = str(row[kind.id_column])
    if kind is ROLE:
        # A role acts through its sessions: simulate one, as AWS would see its requests.
        session = "stockade-simulation"
        principal = Principal(
            f"arn:aws:sts::{account_id}:assumed-role/{entity.name}/{session}",
            PrincipalType.ASSUMED_ROLE,
            principal_arn,
        )
        context["aws:userid"] = f"{entity_id}:{session}"
    else:
        principal = Principal(principal_arn, PrincipalType.USER)
        context["aws:userid"] = entity_id
    return StoredPrincipal(principal, policies, context)


def load_policy_versions(
    args: argparse.Namespace, policy_arn: str, versions: list[str]
) -> list[tuple[str, str]]:
    """(label, document) of each version of a customer managed policy."""
    from stockade.cli.server import open_store
    from stockade.identity import policies
    from stockade.identity.errors import IdentityError

    store, _ = open_store(args)
    found: list[tuple[str, str]] = []
    with store.read() as tx:
        account_id = _account_id(tx, args.account)
        for version in versions:
            try:
                view: dict[str, Any] = policies.get_version(tx, account_id, policy_arn, version)
            except IdentityError as exc:
                raise StoredError(exc.message) from None
            # Versions come URL-encoded, as the API returns them.
            found.append((f"{policy_arn} {version}", unquote(str(view["Document"]))))
    store.close()
    return found
