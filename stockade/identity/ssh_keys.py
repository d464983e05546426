"""SSH public keys of IAM users (CodeCommit's, in AWS): RSA of 2048 bits or more, in OpenSSH
(`ssh-rsa AAAA… comment`) or PEM encoding, at most five a user; returned in either encoding."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import Connection, select, update

from stockade.auth.identifiers import new_unique_id
from stockade.identity import credential_status, names
from stockade.identity.clock import now
from stockade.identity.errors import (
    DuplicateSSHPublicKey,
    InvalidPublicKey,
    LimitExceeded,
    NoSuchEntity,
    UnrecognizedPublicKeyEncoding,
)
from stockade.identity.quotas import Quotas
from stockade.store import schema as t

MIN_RSA_BITS = 2048
# An OpenSSH public key line: key type, base-64 blob, optional comment. Every blob starts with
# a 4-byte length under 2**24, hence `AAAA`.
_OPENSSH = re.compile(r"(ssh|ecdsa|sk)-[a-z0-9@.-]+ AAAA[A-Za-z0-9+/]*=*( .*)?", re.S)


def _is_openssh(text: str) -> bool:
    return bool(_OPENSSH.fullmatch(text))


def parse(body: str) -> rsa.RSAPublicKey:
    text = body.strip()
    pem = text.startswith("-----BEGIN ")
    if not pem and not _is_openssh(text):
        raise UnrecognizedPublicKeyEncoding(
            "The public key encoding is not recognized: use ssh-rsa (OpenSSH) or PEM."
        )
    try:
        if pem:
            key = serialization.load_pem_public_key(text.encode())
        else:
            key = serialization.load_ssh_public_key(text.encode())
    except (ValueError, UnsupportedAlgorithm):
        raise InvalidPublicKey("The public key is malformed or otherwise invalid.") from None
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_RSA_BITS:
        raise InvalidPublicKey(
            f"The public key must be an RSA key of at least {MIN_RSA_BITS} bits."
        )
    return key


def fingerprint(key: rsa.RSAPublicKey) -> str:
    """MD5 of the OpenSSH key blob in colon-separated hex, the form IAM shows."""
    line = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    digest = hashlib.md5(base64.b64decode(line.split()[1]), usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def encoded(body: str, encoding: str) -> str:
    """The stored key in the encoding asked for: an OpenSSH upload comes back as uploaded."""
    text = body.strip()
    if encoding == "SSH" and _is_openssh(text):
        return text
    key = parse(text)
    if encoding == "SSH":
        openssh = key.public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        return openssh.decode()
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem.decode().strip()


def _metadata(row: Mapping[str, Any], user_name: str) -> dict[str, Any]:
    return {
        "UserName": user_name,
        "SSHPublicKeyId": row["ssh_public_key_id"],
        "Status": row["status"],
        "UploadDate": row["created_at"],
    }


def view(row: Mapping[str, Any], user_name: str, encoding: str) -> dict[str, Any]:
    return {
        **_metadata(row, user_name),
        "Fingerprint": row["fingerprint"],
        "SSHPublicKeyBody": encoded(row["body"], encoding),
    }


def upload(
    tx: Connection, account_id: str, user_id: str, user_name: str, body: str, quotas: Quotas
) -> dict[str, Any]:
    key_print = fingerprint(parse(body))
    table = t.ssh_public_keys
    existing = list(
        tx.execute(select(table.c.fingerprint).where(table.c.user_id == user_id)).scalars()
    )
    if key_print in existing:
        raise DuplicateSSHPublicKey("The SSH public key is already associated with this user.")
    if len(existing) >= quotas.ssh_keys_per_user:
        raise LimitExceeded(
            f"Cannot exceed quota for SSHPublicKeysPerUser: {quotas.ssh_keys_per_user}"
        )
    row = {
        "ssh_public_key_id": new_unique_id(names.SSH_PUBLIC_KEY_ID_PREFIX),
        "account_id": account_id,
        "user_id": user_id,
        "body": body.strip(),
        "fingerprint": key_print,
        "status": "Active",
        "created_at": now(),
    }
    tx.execute(table.insert().values(**row))
    return view(row, user_name, "SSH")


def get(tx: Connection, user_id: str, key_id: str) -> dict[str, Any]:
    table = t.ssh_public_keys
    row = (
        tx.execute(
            select(table).where(table.c.user_id == user_id, table.c.ssh_public_key_id == key_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NoSuchEntity(f"The Public Key with id {key_id} cannot be found.")
    return dict(row)


def list_keys(tx: Connection, user_id: str, user_name: str) -> list[dict[str, Any]]:
    table = t.ssh_public_keys
    rows = tx.execute(
        select(table)
        .where(table.c.user_id == user_id)
        .order_by(table.c.created_at, table.c.ssh_public_key_id)
    ).mappings()
    return [_metadata(dict(row), user_name) for row in rows]


def set_status(tx: Connection, user_id: str, key_id: str, status: str) -> None:
    credential_status.check_settable(status)
    get(tx, user_id, key_id)
    table = t.ssh_public_keys
    tx.execute(update(table).where(table.c.ssh_public_key_id == key_id).values(status=status))


def delete(tx: Connection, user_id: str, key_id: str) -> None:
    get(tx, user_id, key_id)
    table = t.ssh_public_keys
    tx.execute(table.delete().where(table.c.ssh_public_key_id == key_id))
