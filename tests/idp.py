"""Test identity providers: an OIDC issuer and a SAML IdP with their own keys, as a CI system or
a corporate IdP would have them. Tokens and responses are made and signed here exactly as a real
IdP makes them (PyJWT, signxml), so the server's checks meet real signatures."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner

GITHUB_SUB = "repo:acme/app:ref:refs/heads/main"
SIGNIN = "https://signin.aws.amazon.com/saml"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class OidcIssuer:
    url: str  # https://host/path
    kid: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    algorithm: str = "RS256"
    key: Any = None

    def __post_init__(self) -> None:
        if self.key is None:
            self.key = (
                ec.generate_private_key(ec.SECP256R1())
                if self.algorithm.startswith("ES")
                else rsa.generate_private_key(public_exponent=65537, key_size=2048)
            )

    def jwk(self) -> dict[str, Any]:
        algorithm = jwt.get_algorithm_by_name(self.algorithm)
        public = json.loads(algorithm.to_jwk(self.key.public_key()))
        return {**public, "kid": self.kid, "use": "sig", "alg": self.algorithm}

    def jwks(self) -> str:
        return json.dumps({"keys": [self.jwk()]})

    def token(
        self, *, lifetime: int = 300, headers: dict[str, Any] | None = None, **claims: Any
    ) -> str:
        now = int(utcnow().timestamp())
        body: dict[str, Any] = {
            "iss": self.url,
            "aud": "sts.amazonaws.com",
            "sub": GITHUB_SUB,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
        }
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(
            body, self.key, algorithm=self.algorithm, headers={"kid": self.kid, **(headers or {})}
        )


def self_signed(common_name: str) -> tuple[Any, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = utcnow()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"


@dataclass
class SamlIdp:
    entity_id: str = "https://idp.example.com/metadata"
    key: Any = None
    certificate: x509.Certificate | None = None

    def __post_init__(self) -> None:
        if self.key is None:
            self.key, self.certificate = self_signed("idp.example.com")

    def certificate_b64(self) -> str:
        assert self.certificate is not None
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        return base64.b64encode(der).decode()

    def metadata(self) -> str:
        return (
            '<?xml version="1.0"?>'
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{self.entity_id}">'
            "<md:IDPSSODescriptor "
            'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
            f"{self.certificate_b64()}"
            "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
            '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
            'Location="https://idp.example.com/sso"/>'
            "</md:IDPSSODescriptor></md:EntityDescriptor>"
        )

    def response_xml(
        self,
        *,
        roles: list[str],
        session_name: str | None = "alice",
        name_id: str = "alice@example.com",
        name_id_format: str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
        audience: str = SIGNIN,
        recipient: str = SIGNIN,
        issuer: str | None = None,
        lifetime: int = 300,
        status: str = "urn:oasis:names:tc:SAML:2.0:status:Success",
        attributes: dict[str, list[str]] | None = None,
    ) -> etree._Element:
        """An unsigned Response with one Assertion, as an IdP builds it before signing."""
        now = utcnow()
        stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        until = (now + dt.timedelta(seconds=lifetime)).strftime("%Y-%m-%dT%H:%M:%SZ")
        before = (now - dt.timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
        issuer = issuer or self.entity_id
        values: dict[str, list[str]] = {"https://aws.amazon.com/SAML/Attributes/Role": roles}
        if session_name is not None:
            values["https://aws.amazon.com/SAML/Attributes/RoleSessionName"] = [session_name]
        values.update(attributes or {})
        attribute_xml = "".join(
            f'<saml:Attribute Name="{name}">'
            + "".join(f"<saml:AttributeValue>{v}</saml:AttributeValue>" for v in vals)
            + "</saml:Attribute>"
            for name, vals in values.items()
        )
        text = (
            f'<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="_r{uuid.uuid4().hex}" '
            f'Version="2.0" IssueInstant="{stamp}" Destination="{recipient}">'
            f"<saml:Issuer>{issuer}</saml:Issuer>"
            f'<samlp:Status><samlp:StatusCode Value="{status}"/></samlp:Status>'
            f'<saml:Assertion ID="_a{uuid.uuid4().hex}" Version="2.0" IssueInstant="{stamp}">'
            f"<saml:Issuer>{issuer}</saml:Issuer>"
            f'<saml:Subject><saml:NameID Format="{name_id_format}">{name_id}</saml:NameID>'
            '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
            f'<saml:SubjectConfirmationData NotOnOrAfter="{until}" Recipient="{recipient}"/>'
            "</saml:SubjectConfirmation></saml:Subject>"
            f'<saml:Conditions NotBefore="{before}" NotOnOrAfter="{until}">'
            f"<saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience>"
            "</saml:AudienceRestriction></saml:Conditions>"
            f'<saml:AuthnStatement AuthnInstant="{stamp}" SessionIndex="_s1">'
            "<saml:AuthnContext><saml:AuthnContextClassRef>"
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
            "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
            f"<saml:AttributeStatement>{attribute_xml}</saml:AttributeStatement>"
            "</saml:Assertion></samlp:Response>"
        )
        return etree.fromstring(text.encode())

    def sign_assertion(self, response: etree._Element) -> etree._Element:
        """Sign the Assertion in place (the signature goes after its Issuer), as most IdPs do."""
        assertion = response.find(f"{{{SAML}}}Assertion")
        assert assertion is not None
        signed = self._sign(assertion)
        response.replace(assertion, signed)
        return response

    def sign_response(self, response: etree._Element) -> etree._Element:
        return self._sign(response)

    def _sign(self, element: etree._Element) -> etree._Element:
        issuer = element.find(f"{{{SAML}}}Issuer")
        assert issuer is not None
        # signxml puts an enveloped signature where a ds:Signature placeholder is.
        placeholder = etree.Element(f"{{{DS}}}Signature", {"Id": "placeholder"}, nsmap={"ds": DS})
        issuer.addnext(placeholder)
        signer = XMLSigner(c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
        signed: etree._Element = signer.sign(
            element,
            key=self.key,
            cert=pem(self.certificate).decode(),
            reference_uri=element.get("ID"),  # type: ignore[arg-type]
        )
        return signed

    def encoded(self, response: etree._Element) -> str:
        return base64.b64encode(etree.tostring(response)).decode()

    def signed_response(self, **kwargs: Any) -> str:
        return self.encoded(self.sign_assertion(self.response_xml(**kwargs)))
