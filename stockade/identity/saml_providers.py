"""SAML 2.0 identity providers: a name and the IdP's metadata document, kept as uploaded beside
what AssumeRoleWithSAML will need from it (saml_metadata)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, select, update

from stockade.identity import provider_rows, saml_metadata, tags
from stockade.identity.errors import InvalidInput
from stockade.identity.quotas import Quotas
from stockade.store import schema as t

_ARN = re.compile(r"arn:aws:iam::[0-9]{12}:saml-provider/[\w._-]+")


def provider_arn(account_id: str, name: str) -> str:
    return f"arn:aws:iam::{account_id}:saml-provider/{name}"


def check_arn(arn: str) -> None:
    if not _ARN.fullmatch(arn):
        raise InvalidInput(f"ARN {arn} is not valid.")


def create(
    tx: Connection,
    account_id: str,
    name: str,
    document: str,
    quotas: Quotas,
    new_tags: Iterable[Mapping[str, Any]] = (),
) -> str:
    parsed = saml_metadata.parse(document)
    arn = provider_arn(account_id, name)
    return provider_rows.insert(
        tx,
        t.saml_providers,
        account_id,
        arn,
        exists=f"SAMLProvider {name} already exists.",
        quota=("SAMLProvidersPerAccount", quotas.saml_providers),
        quotas=quotas,
        new_tags=new_tags,
        name=name,
        metadata_document=document,
        valid_until=parsed.valid_until,
        signing_certificates=parsed.signing_certificates,
    )


def get(tx: Connection, account_id: str, arn: str) -> dict[str, Any]:
    return provider_rows.get(tx, t.saml_providers, account_id, arn, _missing(arn))


def _missing(arn: str) -> str:
    return f"Manifest not found for arn {arn}"


def view(tx: Connection, row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "SAMLMetadataDocument": row["metadata_document"],
        "CreateDate": row["created_at"],
        "ValidUntil": row["valid_until"],
        "Tags": tags.list_tags(tx, row["arn"]) or None,
    }


def listing(tx: Connection, account_id: str) -> list[dict[str, Any]]:
    table = t.saml_providers
    rows = tx.execute(
        select(table.c.arn, table.c.valid_until, table.c.created_at)
        .where(table.c.account_id == account_id)
        .order_by(table.c.arn)
    )
    return [
        {"Arn": arn, "ValidUntil": valid_until, "CreateDate": created_at}
        for arn, valid_until, created_at in rows
    ]


def update_metadata(tx: Connection, account_id: str, arn: str, document: str) -> None:
    get(tx, account_id, arn)
    parsed = saml_metadata.parse(document)
    tx.execute(
        update(t.saml_providers)
        .where(t.saml_providers.c.arn == arn)
        .values(
            metadata_document=document,
            valid_until=parsed.valid_until,
            signing_certificates=parsed.signing_certificates,
        )
    )


def delete(tx: Connection, account_id: str, arn: str) -> None:
    provider_rows.delete(tx, t.saml_providers, account_id, arn, _missing(arn))
