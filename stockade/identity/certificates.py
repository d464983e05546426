"""PEM certificates and private keys as IAM accepts them, read with `cryptography`: anything
that does not parse is MalformedCertificate, never a server error."""

from __future__ import annotations

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from stockade.identity.errors import KeyPairMismatch, MalformedCertificate

# What cryptography raises for input it cannot read (TypeError: an encrypted key, no password).
_UNREADABLE = (ValueError, TypeError, UnsupportedAlgorithm)


def load_certificate(body: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(body.strip().encode())
    except _UNREADABLE:
        raise MalformedCertificate(
            "Unable to parse certificate. Please ensure the certificate is in PEM format."
        ) from None


def load_chain(chain: str) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(chain.strip().encode())
    except _UNREADABLE:
        raise MalformedCertificate(
            "Unable to parse certificate chain. Please ensure it is a PEM-encoded list of "
            "certificates."
        ) from None


def load_private_key(text: str) -> PrivateKeyTypes:
    try:
        return serialization.load_pem_private_key(text.strip().encode(), password=None)
    except _UNREADABLE:
        raise MalformedCertificate(
            "Unable to parse private key. Please ensure it is an unencrypted PEM private key."
        ) from None


def check_pair(certificate: x509.Certificate, key: PrivateKeyTypes) -> None:
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    try:
        certified = certificate.public_key().public_bytes(der, spki)
    except _UNREADABLE:
        raise MalformedCertificate("The certificate's public key cannot be read.") from None
    if key.public_key().public_bytes(der, spki) != certified:
        raise KeyPairMismatch("The certificate's public key does not match the private key.")


def fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()
