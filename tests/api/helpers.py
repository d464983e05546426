"""What the end-to-end tests share: AWS errors as (code, status, message), names unique per test
(the server fixture is shared by a module), and certificates and keys made with `cryptography`."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.api.conftest import Server


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def certificate(
    key: rsa.RSAPrivateKey,
    common_name: str,
    *,
    days: int = 365,
    issuer: tuple[x509.Certificate, rsa.RSAPrivateKey] | None = None,
) -> x509.Certificate:
    """Self-signed, or signed by `issuer` (certificate, key) to make a chain."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    issuer_name, signer = (subject, key) if issuer is None else (issuer[0].subject, issuer[1])
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .sign(signer, hashes.SHA256())
    )


def certificate_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def self_signed_pem(common_name: str = "example.com") -> str:
    return certificate_pem(certificate(rsa_key(), common_name))


def stored_bytes(server: Server) -> bytes | None:
    """Everything the SQLite database holds on disk (with its write-ahead log), to show what is
    not there; None on PostgreSQL, whose files are not ours to read."""
    database = Path(server.data_dir) / "stockade.db"
    if not database.exists():
        return None
    files = [database, database.with_name("stockade.db-wal")]
    return b"".join(path.read_bytes() for path in files if path.exists())


def tag_list(response: dict[str, Any]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in response.get("Tags", [])}
