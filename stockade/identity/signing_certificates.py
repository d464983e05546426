"""X.509 signing certificates of IAM users (and of the root user, when `user_id` is None), at
most two each; one certificate belongs to one user of an account."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select, update

from stockade.identity import certificates, credential_status
from stockade.identity.clock import now
from stockade.identity.errors import DuplicateCertificate, LimitExceeded, NoSuchEntity
from stockade.identity.quotas import Quotas
from stockade.store import schema as t


def _new_certificate_id() -> str:
    # AWS's ids are 24 or more capital letters and digits with no prefix; 32 base-32 characters
    # carry 160 random bits.
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def _owned_by(user_id: str | None) -> ColumnElement[bool]:
    column = t.signing_certificates.c.user_id
    return column.is_(None) if user_id is None else column == user_id


def _view(row: Mapping[str, Any], user_name: str) -> dict[str, Any]:
    return {
        "UserName": user_name,
        "CertificateId": row["certificate_id"],
        "CertificateBody": row["body"],
        "Status": row["status"],
        "UploadDate": row["created_at"],
    }


def upload(
    tx: Connection,
    account_id: str,
    user_id: str | None,
    user_name: str,
    body: str,
    quotas: Quotas,
) -> dict[str, Any]:
    fingerprint = certificates.fingerprint(certificates.load_certificate(body))
    table = t.signing_certificates
    if tx.execute(
        select(table.c.certificate_id).where(
            table.c.account_id == account_id, table.c.fingerprint == fingerprint
        )
    ).first():
        raise DuplicateCertificate(
            "The same certificate is already associated with an IAM user in the account."
        )
    count = tx.execute(
        select(func.count())
        .select_from(table)
        .where(table.c.account_id == account_id, _owned_by(user_id))
    ).scalar_one()
    if count >= quotas.signing_certificates_per_user:
        raise LimitExceeded(
            "Cannot exceed quota for SigningCertificatesPerUser: "
            f"{quotas.signing_certificates_per_user}"
        )
    row = {
        "certificate_id": _new_certificate_id(),
        "account_id": account_id,
        "user_id": user_id,
        "body": body.strip(),
        "fingerprint": fingerprint,
        "status": "Active",
        "created_at": now(),
    }
    tx.execute(table.insert().values(**row))
    return _view(row, user_name)


def list_certificates(
    tx: Connection, account_id: str, user_id: str | None, user_name: str
) -> list[dict[str, Any]]:
    table = t.signing_certificates
    rows = tx.execute(
        select(table)
        .where(table.c.account_id == account_id, _owned_by(user_id))
        .order_by(table.c.created_at, table.c.certificate_id)
    ).mappings()
    return [_view(dict(row), user_name) for row in rows]


def _find(tx: Connection, account_id: str, user_id: str | None, certificate_id: str) -> None:
    table = t.signing_certificates
    if not tx.execute(
        select(table.c.certificate_id).where(
            table.c.account_id == account_id,
            table.c.certificate_id == certificate_id,
            _owned_by(user_id),
        )
    ).first():
        raise NoSuchEntity(f"The Certificate with id {certificate_id} cannot be found.")


def set_status(
    tx: Connection, account_id: str, user_id: str | None, certificate_id: str, status: str
) -> None:
    credential_status.check_settable(status)
    _find(tx, account_id, user_id, certificate_id)
    table = t.signing_certificates
    tx.execute(update(table).where(table.c.certificate_id == certificate_id).values(status=status))


def delete(tx: Connection, account_id: str, user_id: str | None, certificate_id: str) -> None:
    _find(tx, account_id, user_id, certificate_id)
    table = t.signing_certificates
    tx.execute(table.delete().where(table.c.certificate_id == certificate_id))
