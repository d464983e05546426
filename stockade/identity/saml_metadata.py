"""What a SAML provider needs from an IdP's metadata document: when it stops being valid and
the certificates that sign its assertions (which AssumeRoleWithSAML will check).

Read with the standard library's XML parser. Metadata has no use for a DTD, and a DTD is what
entity-expansion attacks need, so a document that declares one is refused before parsing.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree

from cryptography import x509

from stockade.identity.errors import InvalidInput

_MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
_DS = "{http://www.w3.org/2000/09/xmldsig#}"


@dataclass(frozen=True, slots=True)
class SamlMetadata:
    valid_until: datetime | None
    signing_certificates: list[str]  # base64 DER, whitespace removed
    entity_id: str | None = None  # the IdP's entityID: the Issuer its assertions must name


def _invalid(reason: str) -> InvalidInput:
    return InvalidInput(f"Could not parse metadata: {reason}")


def parse(document: str) -> SamlMetadata:
    if "<!DOCTYPE" in document.upper():
        raise _invalid("a document type declaration is not allowed.")
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError as exc:
        raise _invalid(f"not well-formed XML ({exc}).") from None
    if root.tag != f"{_MD}EntityDescriptor":
        raise _invalid("the root element is not a SAML 2.0 metadata EntityDescriptor.")
    identity_providers = root.findall(f"{_MD}IDPSSODescriptor")
    if not identity_providers:
        raise _invalid("the EntityDescriptor has no IDPSSODescriptor.")
    certificates = [
        _certificate(element.text or "")
        for descriptor in identity_providers
        for key in descriptor.findall(f"{_MD}KeyDescriptor")
        if key.get("use") in (None, "signing")  # no `use`: the key serves both purposes
        for element in key.iter(f"{_DS}X509Certificate")
    ]
    return SamlMetadata(_valid_until(root.get("validUntil")), certificates, root.get("entityID"))


def _valid_until(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _invalid(f"validUntil {value!r} is not an xs:dateTime.") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _certificate(text: str) -> str:
    encoded = "".join(text.split())
    try:
        x509.load_der_x509_certificate(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        raise _invalid("a signing X509Certificate is not a base64 DER certificate.") from None
    return encoded
