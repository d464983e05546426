"""What the offline policy commands read from a Stockade store: a principal's policies (for
`policy simulate --account`) and the whole account (for `policy diff --account`).
The account is named by its mirror name or by its id, live or mirror alike."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stockade.policy import Policies, Principal, PrincipalType

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from stockade.identity.authorization_details import AuthorizationDetails


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
    with store.snapshot() as tx:
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


def load_details(args: argparse.Namespace) -> AuthorizationDetails:
    """The account as GetAccountAuthorizationDetails describes it, read back like an imported
    file: so a store and a file are compared by one code path."""
    import json

    from stockade.cli.server import open_store
    from stockade.identity import details
    from stockade.identity.authorization_details import DetailsError, read_details

    store, _ = open_store(args)
    with store.snapshot() as tx:
        account_id = _account_id(tx, args.account)
        found = details.details(tx, account_id, details.entries(tx, account_id, ()))
    store.close()
    as_file = json.loads(json.dumps(found, default=lambda value: value.isoformat()))
    try:
        return read_details(as_file)
    except DetailsError as exc:
        raise StoredError(f"account {account_id}: {exc}") from None
