"""SAML 2.0 Responses for AssumeRoleWithSAML: XML signature, issuer, audience, recipient, time.

The signature is checked with signxml against the certificates of the provider's metadata, never
a certificate the response carries. Everything trusted afterwards is read from the element
signxml returns as signed (`signed_xml`): the Response when the Response is signed, else the
Assertion. Nothing is looked up again in the document as received, so an attacker who wraps a
genuine signed assertion beside, around or inside a forged one (XML signature wrapping) gets
only the genuine one read, or nothing. The document must also hold exactly one Assertion.

What the Response says outside a signed part (its Status and Destination when only the
Assertion is signed) can only make Stockade refuse, never accept.

Audience and recipient are AWS's sign-in endpoint (`https://signin.aws.amazon.com/saml`, a
regional `https://REGION.signin.aws.amazon.com/saml`, or the audience `urn:amazon:webservices`),
so an IdP set up for AWS serves Stockade unchanged (docs/federation.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from lxml import etree
from signxml.exceptions import SignXMLException
from signxml.verifier import SignatureConfiguration, XMLVerifier

from stockade.auth.federation import EXPIRED_TOKEN, IDP_REJECTED_CLAIM, FederationError, invalid

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
_NS = {"samlp": SAMLP, "saml": SAML, "ds": DS}

ATTRIBUTE_PREFIX = "https://aws.amazon.com/SAML/Attributes/"
ROLE = ATTRIBUTE_PREFIX + "Role"
ROLE_SESSION_NAME = ATTRIBUTE_PREFIX + "RoleSessionName"
SOURCE_IDENTITY = ATTRIBUTE_PREFIX + "SourceIdentity"
SESSION_DURATION = ATTRIBUTE_PREFIX + "SessionDuration"
PRINCIPAL_TAG = ATTRIBUTE_PREFIX + "PrincipalTag:"
TRANSITIVE_TAG_KEYS = ATTRIBUTE_PREFIX + "TransitiveTagKeys"

SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"

_ENDPOINT = re.compile(r"https://([a-z0-9-]+\.)?signin\.aws\.amazon\.com/saml")
_AUDIENCES = frozenset({"urn:amazon:webservices"})
_SESSION_NAME = re.compile(r"[a-zA-Z_0-9+=,.@-]{2,64}")
_ROLE_ARN = re.compile(r"arn:aws:iam::[0-9]{12}:role/\S+")
_PROVIDER_ARN = re.compile(r"arn:aws:iam::[0-9]{12}:saml-provider/[\w._-]+")

LEEWAY = timedelta(seconds=30)
MAX_ASSERTION_CHARS = 100000  # botocore's model: SAMLAssertion is 4 to 100000 characters

# Where the signature may sit: a child of the Response, or of its Assertion.
_RESPONSE_SIGNED = SignatureConfiguration(location="./")
_ASSERTION_SIGNED = SignatureConfiguration(location=f"./{{{SAML}}}Assertion/")


@dataclass(frozen=True, slots=True)
class VerifiedAssertion:
    issuer: str
    name_id: str
    name_id_format: str | None
    recipient: str  # the SubjectConfirmationData Recipient: saml:aud, and Audience in the response
    roles: tuple[tuple[str, str], ...]  # (role ARN, provider ARN) pairs the IdP grants
    role_session_name: str
    attributes: dict[str, list[str]]
    source_identity: str | None = None
    session_duration: int | None = None
    session_not_on_or_after: datetime | None = None
    session_tags: dict[str, str] = field(default_factory=dict)
    transitive_tag_keys: tuple[str, ...] = ()

    @property
    def subject_type(self) -> str:
        """`persistent`, `transient`, or the NameID's whole Format URI (saml:sub_type)."""
        if self.name_id_format == PERSISTENT:
            return "persistent"
        if self.name_id_format == TRANSIENT:
            return "transient"
        return self.name_id_format or "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"


def name_qualifier(issuer: str, account_id: str, provider_name: str) -> str:
    """AWS's saml:namequalifier: BASE64(SHA1(Issuer + account id + "/" + provider name))."""
    digest = hashlib.sha1((issuer + account_id + "/" + provider_name).encode()).digest()
    return base64.b64encode(digest).decode()


def _pem(certificate_b64: str) -> x509.Certificate:
    return x509.load_der_x509_certificate(base64.b64decode(certificate_b64))


def _document(assertion_b64: str) -> bytes:
    if len(assertion_b64) > MAX_ASSERTION_CHARS:
        raise invalid("The SAML response is too long.")
    try:
        document = base64.b64decode("".join(assertion_b64.split()), validate=True)
    except (binascii.Error, ValueError):
        raise invalid("The SAML response is not base64.") from None
    if b"<!DOCTYPE" in document.upper():
        raise invalid("The SAML response may not declare a document type.")
    return document


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _parse(document: bytes) -> Any:
    try:
        root = etree.fromstring(document, parser=_PARSER)
    except etree.XMLSyntaxError:
        raise invalid("The SAML response is not well-formed XML.") from None
    if root.tag != f"{{{SAMLP}}}Response":
        raise invalid("The SAML document is not a SAML 2.0 Response.")
    return root


def _signed_element(document: bytes, root: Any, certificates: Iterable[str]) -> Any:
    """The element the IdP signed, as signxml returns it; InvalidIdentityToken if none."""
    response_signed = root.find("ds:Signature", _NS) is not None
    config = _RESPONSE_SIGNED if response_signed else _ASSERTION_SIGNED
    expected = f"{{{SAMLP}}}Response" if response_signed else f"{{{SAML}}}Assertion"
    for certificate in certificates:
        try:
            result: Any = XMLVerifier().verify(
                document, x509_cert=_pem(certificate), expect_config=config
            )
        except (SignXMLException, ValueError):
            continue
        signed = result.signed_xml
        if signed is None or signed.tag != expected:
            break
        return signed
    raise invalid("Response signature invalid")


def _text(element: Any) -> str:
    """A simple value's text: comments dropped, their surroundings kept; no child elements."""
    if any(isinstance(child.tag, str) for child in element):
        raise invalid(f"The SAML element {etree.QName(element).localname} is not a simple value.")
    return "".join(element.itertext()).strip()


def _instant(value: str | None, what: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise invalid(f"The SAML {what} {value!r} is not an xs:dateTime.") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _expired(moment: datetime, now: datetime) -> FederationError:
    return FederationError(
        EXPIRED_TOKEN,
        f"Token expired: current date/time {int(now.timestamp())} must be before the "
        f"expiration date/time {int(moment.timestamp())}",
    )


def verify_response(
    assertion_b64: str,
    *,
    certificates: Iterable[str],
    entity_id: str | None,
    now: datetime,
) -> VerifiedAssertion:
    """Check a base64 SAML Response; returns what its signed assertion says."""
    document = _document(assertion_b64)
    root = _parse(document)
    if len(root.findall(f".//{{{SAML}}}Assertion")) != 1:
        raise invalid("The SAML response must hold exactly one Assertion.")
    if root.find(f".//{{{SAML}}}EncryptedAssertion") is not None:
        raise invalid("Encrypted SAML assertions are not supported.")
    signed = _signed_element(document, root, certificates)
    if signed.tag == f"{{{SAMLP}}}Response":
        response, assertions = signed, signed.findall("saml:Assertion", _NS)
        if len(assertions) != 1:
            raise invalid("The signed SAML response must hold exactly one Assertion.")
        assertion = assertions[0]
    else:
        response, assertion = root, signed
    _check_status(response)
    destination = response.get("Destination")
    if destination is not None and not _ENDPOINT.fullmatch(destination):
        raise invalid(f"The SAML response's Destination {destination} is not this endpoint.")
    issuer_element = assertion.find("saml:Issuer", _NS)
    issuer = _text(issuer_element) if issuer_element is not None else ""
    if not issuer or (entity_id is not None and issuer != entity_id):
        raise invalid("Issuer not present in specified provider")
    _check_conditions(assertion, now)
    name_id, name_format, recipient = _subject(assertion, now)
    attributes = _attributes(assertion)
    session_not_on_or_after = None
    for statement in assertion.findall("saml:AuthnStatement", _NS):
        moment = _instant(statement.get("SessionNotOnOrAfter"), "SessionNotOnOrAfter")
        if moment is not None:
            session_not_on_or_after = min(moment, session_not_on_or_after or moment)
    if session_not_on_or_after is not None and now >= session_not_on_or_after + LEEWAY:
        raise _expired(session_not_on_or_after, now)
    tags = {
        name[len(PRINCIPAL_TAG) :]: values[0]
        for name, values in attributes.items()
        if name.startswith(PRINCIPAL_TAG) and values
    }
    return VerifiedAssertion(
        issuer=issuer,
        name_id=name_id,
        name_id_format=name_format,
        recipient=recipient,
        roles=_roles(attributes.get(ROLE, [])),
        role_session_name=_session_name(attributes.get(ROLE_SESSION_NAME, [])),
        attributes=attributes,
        source_identity=_source_identity(attributes.get(SOURCE_IDENTITY, [])),
        session_duration=_session_duration(attributes.get(SESSION_DURATION, [])),
        session_not_on_or_after=session_not_on_or_after,
        session_tags=tags,
        transitive_tag_keys=tuple(attributes.get(TRANSITIVE_TAG_KEYS, [])),
    )


def _check_status(response: Any) -> None:
    code = response.find("samlp:Status/samlp:StatusCode", _NS)
    value = code.get("Value") if code is not None else None
    if value != SUCCESS:
        raise FederationError(
            IDP_REJECTED_CLAIM,
            f"The identity provider reported that authentication failed ({value}).",
        )


def _check_conditions(assertion: Any, now: datetime) -> None:
    conditions = assertion.find("saml:Conditions", _NS)
    if conditions is None:
        raise invalid("Response does not contain the required audience.")
    not_before = _instant(conditions.get("NotBefore"), "NotBefore")
    if not_before is not None and now + LEEWAY < not_before:
        raise invalid("The SAML assertion is not valid yet (NotBefore).")
    not_on_or_after = _instant(conditions.get("NotOnOrAfter"), "NotOnOrAfter")
    if not_on_or_after is not None and now >= not_on_or_after + LEEWAY:
        raise _expired(not_on_or_after, now)
    restrictions = conditions.findall("saml:AudienceRestriction", _NS)
    # Each AudienceRestriction must name us (SAML core 2.5.1.4); at least one must be there.
    if not restrictions:
        raise invalid("Response does not contain the required audience.")
    for restriction in restrictions:
        audiences = {_text(a) for a in restriction.findall("saml:Audience", _NS)}
        if not any(a in _AUDIENCES or _ENDPOINT.fullmatch(a) for a in audiences):
            raise invalid("Response does not contain the required audience.")


def _subject(assertion: Any, now: datetime) -> tuple[str, str | None, str]:
    subject = assertion.find("saml:Subject", _NS)
    name_id = subject.find("saml:NameID", _NS) if subject is not None else None
    if name_id is None or not _text(name_id):
        raise invalid("The SAML assertion has no Subject NameID.")
    expired: datetime | None = None
    for confirmation in subject.findall("saml:SubjectConfirmation", _NS):
        if confirmation.get("Method") != BEARER:
            continue
        data = confirmation.find("saml:SubjectConfirmationData", _NS)
        if data is None:
            continue
        recipient = data.get("Recipient")
        if recipient is None or not _ENDPOINT.fullmatch(recipient):
            continue
        not_on_or_after = _instant(data.get("NotOnOrAfter"), "NotOnOrAfter")
        if not_on_or_after is not None and now >= not_on_or_after + LEEWAY:
            expired = not_on_or_after
            continue
        not_before = _instant(data.get("NotBefore"), "NotBefore")
        if not_before is not None and now + LEEWAY < not_before:
            continue
        return _text(name_id), name_id.get("Format"), recipient
    if expired is not None:
        raise _expired(expired, now)
    raise invalid(
        "The SAML assertion has no bearer SubjectConfirmation for the recipient "
        "https://signin.aws.amazon.com/saml."
    )


def _attributes(assertion: Any) -> dict[str, list[str]]:
    attributes: dict[str, list[str]] = {}
    for statement in assertion.findall("saml:AttributeStatement", _NS):
        for attribute in statement.findall("saml:Attribute", _NS):
            name = attribute.get("Name")
            if not name:
                continue
            values = attributes.setdefault(name, [])
            values.extend(_text(v) for v in attribute.findall("saml:AttributeValue", _NS))
    return attributes


def _roles(values: list[str]) -> tuple[tuple[str, str], ...]:
    """`role-arn,provider-arn` pairs, in either order as AWS accepts them."""
    if not values:
        raise invalid(f"The SAML assertion has no {ROLE} attribute.")
    pairs: list[tuple[str, str]] = []
    for value in values:
        parts = [part.strip() for part in value.split(",")]
        roles = [p for p in parts if _ROLE_ARN.fullmatch(p)]
        providers = [p for p in parts if _PROVIDER_ARN.fullmatch(p)]
        if len(parts) == 2 and len(roles) == 1 and len(providers) == 1:
            pairs.append((roles[0], providers[0]))
    if not pairs:
        raise invalid(f"No value of the {ROLE} attribute is a role ARN and a provider ARN pair.")
    return tuple(pairs)


def _session_name(values: list[str]) -> str:
    if not values:
        raise invalid("RoleSessionName is required in AuthnResponse")
    if not _SESSION_NAME.fullmatch(values[0]):
        raise invalid("RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}")
    return values[0]


def _source_identity(values: list[str]) -> str | None:
    if not values:
        return None
    value = values[0]
    if not _SESSION_NAME.fullmatch(value) or value.lower().startswith("aws:"):
        raise invalid(
            'Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"'
        )
    return value


def _session_duration(values: list[str]) -> int | None:
    if not values:
        return None
    if not values[0].isdigit() or not 900 <= int(values[0]) <= 43200:
        raise invalid("SessionDuration in AuthnResponse must be between 900 and 43200 seconds.")
    return int(values[0])


# The SAML attributes AWS turns into saml: condition keys, by attribute name (OID URN, as AWS
# documents, or the attribute's LDAP name).
_KEYED_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "cn": ("urn:oid:2.5.4.3", "cn"),
    "commonName": ("commonName",),
    "givenName": ("urn:oid:2.5.4.42", "givenName"),
    "surname": ("urn:oid:2.5.4.4", "surname", "sn"),
    "mail": ("urn:oid:0.9.2342.19200300.100.1.3", "mail"),
    "uid": ("urn:oid:0.9.2342.19200300.100.1.1", "uid"),
    "x500UniqueIdentifier": ("urn:oid:2.5.4.45", "x500UniqueIdentifier"),
    "name": ("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",),
    "primaryGroupSID": ("http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid",),
    "organizationStatus": ("organizationStatus",),
    "edupersonaffiliation": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.1", "eduPersonAffiliation"),
    "edupersonnickname": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.2", "eduPersonNickname"),
    "edupersonorgdn": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.3", "eduPersonOrgDN"),
    "edupersonorgunitdn": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.4", "eduPersonOrgUnitDN"),
    "edupersonprimaryaffiliation": (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.5",
        "eduPersonPrimaryAffiliation",
    ),
    "edupersonprincipalname": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.6", "eduPersonPrincipalName"),
    "edupersonentitlement": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.7", "eduPersonEntitlement"),
    "edupersonprimaryorgunitdn": (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.8",
        "eduPersonPrimaryOrgUnitDN",
    ),
    "edupersonscopedaffiliation": (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.9",
        "eduPersonScopedAffiliation",
    ),
    "edupersontargetedid": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.10", "eduPersonTargetedID"),
    "edupersonassurance": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.11", "eduPersonAssurance"),
    "eduorghomepageuri": ("urn:oid:1.3.6.1.4.1.5923.1.2.1.2", "eduOrgHomePageURI"),
    "eduorgidentityauthnpolicyuri": (
        "urn:oid:1.3.6.1.4.1.5923.1.2.1.3",
        "eduOrgIdentityAuthNPolicyURI",
    ),
    "eduorglegalname": ("urn:oid:1.3.6.1.4.1.5923.1.2.1.4", "eduOrgLegalName"),
    "eduorgsuperioruri": ("urn:oid:1.3.6.1.4.1.5923.1.2.1.5", "eduOrgSuperiorURI"),
    "eduorgwhitepagesuri": ("urn:oid:1.3.6.1.4.1.5923.1.2.1.6", "eduOrgWhitePagesURI"),
}


def condition_keys(
    assertion: VerifiedAssertion, account_id: str, provider_name: str
) -> dict[str, Any]:
    """The saml: keys a trust policy can test ("Available keys for SAML-based federation")."""
    keys: dict[str, Any] = {
        "saml:aud": assertion.recipient,
        "saml:iss": assertion.issuer,
        "saml:sub": assertion.name_id,
        "saml:sub_type": assertion.subject_type,
        "saml:doc": f"{account_id}/{provider_name}",
        "saml:namequalifier": name_qualifier(assertion.issuer, account_id, provider_name),
    }
    for key, names in _KEYED_ATTRIBUTES.items():
        values = [v for name in names for v in assertion.attributes.get(name, [])]
        if values:
            keys[f"saml:{key}"] = values[0] if len(values) == 1 else values
    return keys
