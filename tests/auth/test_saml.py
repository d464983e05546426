"""SAML Response verification: signatures, wrapping, audience, recipient, time, attributes."""

from __future__ import annotations

import base64
import copy
import datetime as dt
from typing import Any

import pytest
from lxml import etree

from stockade.auth.federation import FederationError
from stockade.auth.saml import condition_keys, name_qualifier, verify_response
from tests.idp import DS, SAML, SAMLP, SamlIdp, utcnow

ROLE = "arn:aws:iam::123456789012:role/Deploy"
PROVIDER = "arn:aws:iam::123456789012:saml-provider/Corp"
PAIR = f"{ROLE},{PROVIDER}"
NS = {"saml": SAML, "samlp": SAMLP, "ds": DS}


@pytest.fixture(scope="module")
def idp() -> SamlIdp:
    return SamlIdp()


def verify(idp: SamlIdp, encoded: str, **kwargs: Any) -> Any:
    return verify_response(
        encoded,
        certificates=kwargs.pop("certificates", [idp.certificate_b64()]),
        entity_id=kwargs.pop("entity_id", idp.entity_id),
        now=kwargs.pop("now", utcnow()),
    )


def refused(idp: SamlIdp, encoded: str, **kwargs: Any) -> FederationError:
    with pytest.raises(FederationError) as caught:
        verify(idp, encoded, **kwargs)
    return caught.value


def signed_tree(idp: SamlIdp, **kwargs: Any) -> etree._Element:
    """A Response whose Assertion is signed, parsed back as a receiver sees it."""
    kwargs.setdefault("roles", [PAIR])
    encoded = idp.signed_response(**kwargs)
    return etree.fromstring(base64.b64decode(encoded))


def encode(tree: etree._Element) -> str:
    return base64.b64encode(etree.tostring(tree)).decode()


def test_a_signed_assertion_is_accepted(idp: SamlIdp) -> None:
    verified = verify(idp, idp.signed_response(roles=[PAIR], session_name="alice"))
    assert verified.roles == ((ROLE, PROVIDER),)
    assert verified.role_session_name == "alice"
    assert verified.name_id == "alice@example.com"
    assert verified.subject_type == "persistent"
    assert verified.issuer == idp.entity_id
    assert verified.recipient == "https://signin.aws.amazon.com/saml"


def test_a_signed_response_is_accepted(idp: SamlIdp) -> None:
    response = idp.sign_response(idp.response_xml(roles=[PAIR]))
    assert verify(idp, idp.encoded(response)).roles == ((ROLE, PROVIDER),)


def test_role_pairs_may_name_the_provider_first(idp: SamlIdp) -> None:
    verified = verify(idp, idp.signed_response(roles=[f"{PROVIDER},{ROLE}"]))
    assert verified.roles == ((ROLE, PROVIDER),)


def test_a_role_changed_after_signing_breaks_the_signature(idp: SamlIdp) -> None:
    tree = signed_tree(idp)
    value = tree.find(
        ".//saml:Attribute[@Name='https://aws.amazon.com/SAML/Attributes/Role']/saml:AttributeValue",
        NS,
    )
    value.text = f"arn:aws:iam::123456789012:role/Admin,{PROVIDER}"
    error = refused(idp, encode(tree))
    assert (error.code, error.message) == ("InvalidIdentityToken", "Response signature invalid")


def test_a_name_id_changed_after_signing_breaks_the_signature(idp: SamlIdp) -> None:
    tree = signed_tree(idp)
    tree.find(".//saml:NameID", NS).text = "mallory@example.com"
    assert refused(idp, encode(tree)).message == "Response signature invalid"


def test_a_comment_inserted_into_the_name_id_does_not_truncate_it(idp: SamlIdp) -> None:
    # Exclusive c14n drops comments, so the signature survives; the value must too, whole.
    tree = signed_tree(idp, name_id="alice@example.com.evil.test")
    name_id = tree.find(".//saml:NameID", NS)
    name_id.text = "alice@example.com"
    comment = etree.Comment("")
    comment.tail = ".evil.test"
    name_id.append(comment)
    assert verify(idp, encode(tree)).name_id == "alice@example.com.evil.test"


def test_an_assertion_signed_by_another_idp_is_refused(idp: SamlIdp) -> None:
    stranger = SamlIdp(entity_id=idp.entity_id)
    assert (
        refused(idp, stranger.signed_response(roles=[PAIR])).message == "Response signature invalid"
    )


def test_an_unsigned_response_is_refused(idp: SamlIdp) -> None:
    assert refused(idp, idp.encoded(idp.response_xml(roles=[PAIR]))).code == "InvalidIdentityToken"


def test_wrapping_a_forged_assertion_beside_the_signed_one_is_refused(idp: SamlIdp) -> None:
    tree = signed_tree(idp)
    genuine = tree.find("saml:Assertion", NS)
    forged = copy.deepcopy(genuine)
    forged.remove(forged.find("ds:Signature", NS))
    forged.find(".//saml:NameID", NS).text = "mallory@example.com"
    genuine.addprevious(forged)
    assert refused(idp, encode(tree)).code == "InvalidIdentityToken"


def test_wrapping_the_signed_assertion_inside_a_forged_one_is_refused(idp: SamlIdp) -> None:
    # XSW: the forged assertion takes the genuine one's ID and signature; the genuine one hides
    # in the signature's ds:Object, where the reference by ID still finds it.
    tree = signed_tree(idp)
    genuine = tree.find("saml:Assertion", NS)
    forged = copy.deepcopy(genuine)
    forged.find(".//saml:NameID", NS).text = "mallory@example.com"
    signature = forged.find("ds:Signature", NS)
    hidden = copy.deepcopy(genuine)
    hidden.remove(hidden.find("ds:Signature", NS))
    obj = etree.SubElement(signature, f"{{{DS}}}Object")
    obj.append(hidden)
    tree.replace(genuine, forged)
    assert refused(idp, encode(tree)).code == "InvalidIdentityToken"


def test_an_assertion_signature_moved_onto_the_response_does_not_sign_the_response(
    idp: SamlIdp,
) -> None:
    tree = signed_tree(idp)
    signature = tree.find("saml:Assertion/ds:Signature", NS)
    tree.find("saml:Issuer", NS).addnext(copy.deepcopy(signature))
    assert refused(idp, encode(tree)).message == "Response signature invalid"


def test_a_failed_status_is_the_idp_rejecting_the_claim(idp: SamlIdp) -> None:
    encoded = idp.signed_response(
        roles=[PAIR], status="urn:oasis:names:tc:SAML:2.0:status:Responder"
    )
    assert refused(idp, encoded).code == "IDPRejectedClaim"


def test_an_expired_assertion_is_expired(idp: SamlIdp) -> None:
    later = utcnow() + dt.timedelta(hours=1)
    error = refused(idp, idp.signed_response(roles=[PAIR]), now=later)
    assert error.code == "ExpiredTokenException"
    assert error.message.startswith("Token expired")


def test_an_assertion_not_valid_yet_is_refused(idp: SamlIdp) -> None:
    earlier = utcnow() - dt.timedelta(hours=1)
    assert (
        refused(idp, idp.signed_response(roles=[PAIR]), now=earlier).code == "InvalidIdentityToken"
    )


def test_another_audience_is_refused(idp: SamlIdp) -> None:
    encoded = idp.signed_response(roles=[PAIR], audience="https://other.example.com/saml")
    error = refused(idp, encoded)
    assert (error.code, error.message) == (
        "InvalidIdentityToken",
        "Response does not contain the required audience.",
    )


def test_the_amazon_urn_audience_and_a_regional_endpoint_are_accepted(idp: SamlIdp) -> None:
    regional = "https://eu-west-1.signin.aws.amazon.com/saml"
    encoded = idp.signed_response(
        roles=[PAIR], audience="urn:amazon:webservices", recipient=regional
    )
    assert verify(idp, encoded).recipient == regional


def test_another_recipient_is_refused(idp: SamlIdp) -> None:
    encoded = idp.signed_response(roles=[PAIR], recipient="https://sp.example.com/acs")
    assert refused(idp, encoded).code == "InvalidIdentityToken"


def test_an_issuer_not_in_the_providers_metadata_is_refused(idp: SamlIdp) -> None:
    encoded = idp.signed_response(roles=[PAIR], issuer="https://someone-else.example.com")
    assert refused(idp, encoded).message == "Issuer not present in specified provider"


def test_role_session_name_is_required_and_checked(idp: SamlIdp) -> None:
    error = refused(idp, idp.signed_response(roles=[PAIR], session_name=None))
    assert error.message == "RoleSessionName is required in AuthnResponse"
    error = refused(idp, idp.signed_response(roles=[PAIR], session_name="a b"))
    assert error.message == "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"


def test_a_role_attribute_without_a_pair_is_refused(idp: SamlIdp) -> None:
    assert refused(idp, idp.signed_response(roles=[ROLE])).code == "InvalidIdentityToken"


def test_a_document_type_declaration_is_refused(idp: SamlIdp) -> None:
    text = b'<!DOCTYPE x [<!ENTITY a "b">]><samlp:Response xmlns:samlp="' + SAMLP.encode() + b'"/>'
    error = refused(idp, base64.b64encode(text).decode())
    assert "document type" in error.message


def test_not_base64_and_not_xml_are_refused(idp: SamlIdp) -> None:
    assert refused(idp, "%%%").code == "InvalidIdentityToken"
    assert refused(idp, base64.b64encode(b"<unclosed").decode()).code == "InvalidIdentityToken"


def test_attributes_become_session_tags_and_condition_keys(idp: SamlIdp) -> None:
    encoded = idp.signed_response(
        roles=[PAIR],
        attributes={
            "https://aws.amazon.com/SAML/Attributes/PrincipalTag:Department": ["Engineering"],
            "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys": ["Department"],
            "https://aws.amazon.com/SAML/Attributes/SourceIdentity": ["alice"],
            "https://aws.amazon.com/SAML/Attributes/SessionDuration": ["1800"],
            "urn:oid:1.3.6.1.4.1.5923.1.1.1.1": ["staff", "member"],
            "urn:oid:0.9.2342.19200300.100.1.3": ["alice@example.com"],
        },
    )
    verified = verify(idp, encoded)
    assert verified.session_tags == {"Department": "Engineering"}
    assert verified.transitive_tag_keys == ("Department",)
    assert verified.source_identity == "alice"
    assert verified.session_duration == 1800
    keys = condition_keys(verified, "123456789012", "Corp")
    assert keys["saml:sub"] == "alice@example.com"
    assert keys["saml:sub_type"] == "persistent"
    assert keys["saml:iss"] == idp.entity_id
    assert keys["saml:aud"] == "https://signin.aws.amazon.com/saml"
    assert keys["saml:doc"] == "123456789012/Corp"
    assert keys["saml:edupersonaffiliation"] == ["staff", "member"]
    assert keys["saml:mail"] == "alice@example.com"
    assert keys["saml:namequalifier"] == name_qualifier(idp.entity_id, "123456789012", "Corp")


def test_a_bad_source_identity_is_refused(idp: SamlIdp) -> None:
    encoded = idp.signed_response(
        roles=[PAIR],
        attributes={"https://aws.amazon.com/SAML/Attributes/SourceIdentity": ["aws:x"]},
    )
    assert "Source Identity" in refused(idp, encoded).message
