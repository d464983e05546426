"""OpenID Connect and SAML providers end to end with boto3: round trips, what AWS refuses and
how, idempotent client-id changes, tags, and the account summary's Providers count."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization

from tests.api.conftest import Server
from tests.api.helpers import certificate, error_of, rsa_key, tag_list, unique

THUMBPRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"


def _issuer() -> str:
    return f"https://{unique('idp')}.example.com/tenant/1"


# -- OpenID Connect --------------------------------------------------------------------------
def test_oidc_round_trip(server: Server, iam: Any) -> None:
    url = _issuer()
    created = iam.create_open_id_connect_provider(
        Url=url,
        ClientIDList=["sts.amazonaws.com", "app"],
        ThumbprintList=[THUMBPRINT],
        Tags=[{"Key": "owner", "Value": "platform"}],
    )
    arn = created["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::{server.account_id}:oidc-provider/{url.removeprefix('https://')}"
    assert tag_list(created) == {"owner": "platform"}

    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["Url"] == url.removeprefix("https://")
    assert got["ClientIDList"] == ["sts.amazonaws.com", "app"]
    assert got["ThumbprintList"] == [THUMBPRINT]
    assert tag_list(got) == {"owner": "platform"}
    listed = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert {"Arn": arn} in listed

    # Adding a client id already there, or removing one that is not, is no error (AWS docs).
    for _ in range(2):
        iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="web")
        iam.remove_client_id_from_open_id_connect_provider(
            OpenIDConnectProviderArn=arn, ClientID="app"
        )
    other = "0" * 40
    iam.update_open_id_connect_provider_thumbprint(
        OpenIDConnectProviderArn=arn, ThumbprintList=[other, THUMBPRINT]
    )
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert (got["ClientIDList"], got["ThumbprintList"]) == (
        ["sts.amazonaws.com", "web"],
        [other, THUMBPRINT],
    )

    iam.tag_open_id_connect_provider(
        OpenIDConnectProviderArn=arn, Tags=[{"Key": "env", "Value": "prod"}]
    )
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=["owner"])
    tags = iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)
    assert tag_list(tags) == {"env": "prod"}

    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    with pytest.raises(ClientError) as excinfo:
        iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert error_of(excinfo) == (
        "NoSuchEntity",
        404,
        f"OpenIDConnect Provider not found for arn {arn}",
    )
    with pytest.raises(ClientError) as excinfo:
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert error_of(excinfo)[:2] == ("NoSuchEntity", 404)


def test_oidc_thumbprints_are_optional_and_urls_unique(iam: Any) -> None:
    url = _issuer()
    arn = iam.create_open_id_connect_provider(Url=url, ClientIDList=["app"])[
        "OpenIDConnectProviderArn"
    ]
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ThumbprintList"] == []
    with pytest.raises(ClientError) as excinfo:
        iam.create_open_id_connect_provider(Url=url)
    assert error_of(excinfo) == (
        "EntityAlreadyExists",
        409,
        f"Provider with url {url} already exists.",
    )
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)


@pytest.mark.parametrize(
    ("arguments", "code", "status"),
    [
        ({"Url": "http://insecure.example.com"}, "InvalidInput", 400),
        ({"Url": "https://idp.example.com/?tenant=1"}, "InvalidInput", 400),
        ({"Url": "https://"}, "InvalidInput", 400),
        ({"Url": _issuer(), "ThumbprintList": ["z" * 40]}, "InvalidInput", 400),
        (
            {"Url": _issuer(), "ThumbprintList": [f"{n:040x}" for n in range(6)]},
            "InvalidInput",
            400,
        ),
        ({"Url": _issuer(), "ClientIDList": [f"c{n}" for n in range(101)]}, "LimitExceeded", 409),
    ],
)
def test_oidc_refusals(iam: Any, arguments: dict[str, Any], code: str, status: int) -> None:
    with pytest.raises(ClientError) as excinfo:
        iam.create_open_id_connect_provider(**arguments)
    assert error_of(excinfo)[:2] == (code, status)


def test_oidc_arn_that_names_no_provider(iam: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        iam.get_open_id_connect_provider(OpenIDConnectProviderArn="arn:aws:iam::123:role/not-one")
    assert error_of(excinfo)[:2] == ("InvalidInput", 400)
    with pytest.raises(ClientError) as excinfo:
        iam.add_client_id_to_open_id_connect_provider(
            OpenIDConnectProviderArn="arn:aws:iam::123456789012:oidc-provider/nowhere.example.com",
            ClientID="app",
        )
    assert error_of(excinfo)[:2] == ("NoSuchEntity", 404)


# -- SAML ------------------------------------------------------------------------------------
def _metadata(valid_until: str = "2035-01-02T03:04:05Z") -> str:
    der = certificate(rsa_key(), "idp.example.com").public_bytes(serialization.Encoding.DER)
    # Wrapped at 64 columns as IdPs write it: the server must ignore the whitespace.
    encoded = base64.b64encode(der).decode()
    wrapped = "\n".join(encoded[i : i + 64] for i in range(0, len(encoded), 64))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
    entityID="https://idp.example.com/saml" validUntil="{valid_until}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>
{wrapped}
      </ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://idp.example.com/saml/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"""


def test_saml_round_trip(server: Server, iam: Any) -> None:
    name = unique("corp")
    document = _metadata()
    created = iam.create_saml_provider(
        Name=name, SAMLMetadataDocument=document, Tags=[{"Key": "owner", "Value": "it"}]
    )
    arn = created["SAMLProviderArn"]
    assert arn == f"arn:aws:iam::{server.account_id}:saml-provider/{name}"
    assert tag_list(created) == {"owner": "it"}

    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == document
    assert got["ValidUntil"] == datetime(2035, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert tag_list(got) == {"owner": "it"}
    listed = {p["Arn"]: p for p in iam.list_saml_providers()["SAMLProviderList"]}
    assert listed[arn]["ValidUntil"] == got["ValidUntil"]
    assert listed[arn]["CreateDate"] == got["CreateDate"]

    updated = iam.update_saml_provider(
        SAMLProviderArn=arn, SAMLMetadataDocument=_metadata("2040-06-30T00:00:00.000+02:00")
    )
    assert updated["SAMLProviderArn"] == arn
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["ValidUntil"] == datetime(2040, 6, 29, 22, 0, tzinfo=UTC)

    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "env", "Value": "prod"}])
    iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["owner"])
    assert tag_list(iam.list_saml_provider_tags(SAMLProviderArn=arn)) == {"env": "prod"}

    with pytest.raises(ClientError) as excinfo:
        iam.create_saml_provider(Name=name, SAMLMetadataDocument=document)
    assert error_of(excinfo)[:2] == ("EntityAlreadyExists", 409)

    iam.delete_saml_provider(SAMLProviderArn=arn)
    with pytest.raises(ClientError) as excinfo:
        iam.get_saml_provider(SAMLProviderArn=arn)
    assert error_of(excinfo) == ("NoSuchEntity", 404, f"Manifest not found for arn {arn}")


@pytest.mark.parametrize(
    "document",
    [
        "<not-xml " + "x" * 1000,
        '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaa">]><x>&a;</x>' + " " * 1000,
        "<md:EntityDescriptor xmlns:md='urn:oasis:names:tc:SAML:2.0:metadata'/>" + " " * 1000,
        _metadata().replace("validUntil=", "validUntil='soon' x="),
        _metadata().replace("<ds:X509Certificate>", "<ds:X509Certificate>!!not base64!!"),
    ],
    ids=["not-xml", "doctype", "no-idp-descriptor", "bad-valid-until", "bad-certificate"],
)
def test_saml_metadata_that_is_refused(iam: Any, document: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        iam.create_saml_provider(Name=unique("bad"), SAMLMetadataDocument=document)
    code, status, message = error_of(excinfo)
    assert (code, status) == ("InvalidInput", 400)
    assert message.startswith("Could not parse metadata")


def test_saml_features_not_offered_say_so(iam: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        iam.create_saml_provider(
            Name=unique("enc"), SAMLMetadataDocument=_metadata(), AssertionEncryptionMode="Required"
        )
    assert error_of(excinfo)[:2] == ("NotImplemented", 501)


def test_account_summary_counts_both_kinds_of_provider(iam: Any) -> None:
    def providers() -> int:
        return int(iam.get_account_summary()["SummaryMap"]["Providers"])

    before = providers()
    oidc = iam.create_open_id_connect_provider(Url=_issuer())["OpenIDConnectProviderArn"]
    saml = iam.create_saml_provider(Name=unique("count"), SAMLMetadataDocument=_metadata())
    assert providers() == before + 2
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=oidc)
    iam.delete_saml_provider(SAMLProviderArn=saml["SAMLProviderArn"])
    assert providers() == before
