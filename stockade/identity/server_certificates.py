"""Server certificates (for load balancers and CloudFront, in AWS): a PEM certificate, its chain
and its private key. The private key is sealed like every secret and no operation returns it.
Names are unique in an account as given (case counts, unlike users and roles)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, func, select, update

from stockade.auth.identifiers import new_unique_id
from stockade.auth.secrets import SecretBox
from stockade.identity import certificates, names, tags
from stockade.identity.clock import now
from stockade.identity.errors import EntityAlreadyExists, LimitExceeded, NoSuchEntity
from stockade.identity.quotas import Quotas
from stockade.store import schema as t


def certificate_arn(account_id: str, path: str, name: str) -> str:
    return names.arn(account_id, "server-certificate", path, name)


def find(tx: Connection, account_id: str, name: str) -> dict[str, Any] | None:
    table = t.server_certificates
    row = (
        tx.execute(select(table).where(table.c.account_id == account_id, table.c.name == name))
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


def not_found(name: str) -> NoSuchEntity:
    return NoSuchEntity(f"The Server Certificate with name {name} cannot be found.")


def metadata(account_id: str, row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "Path": row["path"],
        "ServerCertificateName": row["name"],
        "ServerCertificateId": row["server_certificate_id"],
        "Arn": certificate_arn(account_id, row["path"], row["name"]),
        "UploadDate": row["created_at"],
        "Expiration": row["expires_at"],
    }


def view(tx: Connection, account_id: str, row: Mapping[str, Any]) -> dict[str, Any]:
    meta = metadata(account_id, row)
    return {
        "ServerCertificateMetadata": meta,
        "CertificateBody": row["body"],
        "CertificateChain": row["chain"],
        "Tags": tags.list_tags(tx, meta["Arn"]) or None,
    }


def upload(
    tx: Connection,
    box: SecretBox,
    account_id: str,
    name: str,
    path: str | None,
    body: str,
    private_key: str,
    chain: str | None,
    quotas: Quotas,
    new_tags: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    path = names.check_path(path)
    certificate = certificates.load_certificate(body)
    certificates.check_pair(certificate, certificates.load_private_key(private_key))
    if chain:
        certificates.load_chain(chain)
    if find(tx, account_id, name) is not None:
        raise EntityAlreadyExists(f"The Server Certificate with name {name} already exists.")
    table = t.server_certificates
    count = tx.execute(
        select(func.count()).select_from(table).where(table.c.account_id == account_id)
    ).scalar_one()
    if count >= quotas.server_certificates:
        raise LimitExceeded(
            f"Cannot exceed quota for ServerCertificatesPerAccount: {quotas.server_certificates}"
        )
    certificate_id = new_unique_id(names.SERVER_CERTIFICATE_ID_PREFIX)
    row = {
        "server_certificate_id": certificate_id,
        "account_id": account_id,
        "name": name,
        "path": path,
        "body": body.strip(),
        "chain": chain.strip() if chain else None,
        "private_key_sealed": box.seal(private_key, certificate_id),
        "expires_at": certificate.not_valid_after_utc,
        "created_at": now(),
    }
    tx.execute(table.insert().values(**row))
    new_tags = list(new_tags)
    if new_tags:
        tags.tag(tx, account_id, certificate_arn(account_id, path, name), new_tags, quotas)
    return metadata(account_id, row)


def listing(tx: Connection, account_id: str, path_prefix: str | None) -> list[dict[str, Any]]:
    table = t.server_certificates
    query = select(table).where(table.c.account_id == account_id)
    if path_prefix:
        query = query.where(table.c.path.startswith(path_prefix, autoescape=True))
    rows = tx.execute(query.order_by(table.c.name)).mappings()
    return [metadata(account_id, dict(row)) for row in rows]


def rename(
    tx: Connection,
    account_id: str,
    row: Mapping[str, Any],
    new_name: str | None,
    new_path: str | None,
) -> None:
    """Tags are kept by ARN, so they follow the certificate to its new name or path."""
    name = new_name or row["name"]
    path = names.check_path(new_path) if new_path else row["path"]
    if name != row["name"] and find(tx, account_id, name) is not None:
        raise EntityAlreadyExists(f"The Server Certificate with name {name} already exists.")
    table = t.server_certificates
    tx.execute(
        update(table)
        .where(table.c.server_certificate_id == row["server_certificate_id"])
        .values(name=name, path=path)
    )
    tx.execute(
        update(t.tags)
        .where(t.tags.c.resource_arn == certificate_arn(account_id, row["path"], row["name"]))
        .values(resource_arn=certificate_arn(account_id, path, name))
    )


def delete(tx: Connection, account_id: str, row: Mapping[str, Any]) -> None:
    table = t.server_certificates
    tx.execute(table.delete().where(table.c.server_certificate_id == row["server_certificate_id"]))
    tags.drop_all(tx, certificate_arn(account_id, row["path"], row["name"]))
