"""IAM identity providers: OpenID Connect and SAML 2.0."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from stockade.api.authorize import authorize
from stockade.api.context import Call
from stockade.api.registry import Result, operation, paginate, tag_context
from stockade.api.resource_tags import aws_resource_tags
from stockade.identity import oidc_providers, saml_providers, tags
from stockade.protocol import AWSError

Getter = Callable[[Connection, str, str], object]


def _refuse_unoffered(call: Call, *parameters: str) -> None:
    """Newer provider features (IAM Identity Center context, SAML assertion encryption) are not
    offered: say so rather than ignore them."""
    given = [name for name in parameters if call.params.get(name)]
    if given:
        raise AWSError(
            "NotImplemented", f"Stockade does not offer {', '.join(given)} on {call.action}.", 501
        )


# -- OpenID Connect --------------------------------------------------------------------------
def _oidc(call: Call, action: str, extra: dict[str, Any] | None = None) -> str:
    arn = str(call.params["OpenIDConnectProviderArn"])
    oidc_providers.check_arn(arn)
    authorize(call, action, arn, {**aws_resource_tags(call, arn), **(extra or {})})
    return arn


@operation("iam", "CreateOpenIDConnectProvider")
def create_oidc_provider(call: Call) -> Result:
    p = call.params
    _refuse_unoffered(call, "ContextProvider", "IdentityCenterInstanceArn")
    account = call.caller.account_id
    arn = oidc_providers.provider_arn(account, oidc_providers.host_and_path(p["Url"]))
    authorize(call, "iam:CreateOpenIDConnectProvider", arn, tag_context(call))
    oidc_providers.create(
        call.tx,
        account,
        p["Url"],
        p.get("ClientIDList") or (),
        p.get("ThumbprintList") or (),
        call.services.quotas,
        p.get("Tags") or (),
    )
    return {"OpenIDConnectProviderArn": arn, "Tags": tags.list_tags(call.tx, arn) or None}


@operation("iam", "GetOpenIDConnectProvider")
def get_oidc_provider(call: Call) -> Result:
    arn = _oidc(call, "iam:GetOpenIDConnectProvider")
    return oidc_providers.view(call.tx, oidc_providers.get(call.tx, call.caller.account_id, arn))


@operation("iam", "ListOpenIDConnectProviders")
def list_oidc_providers(call: Call) -> Result:
    authorize(call, "iam:ListOpenIDConnectProviders", "*")  # no resource-level permissions
    arns = oidc_providers.list_arns(call.tx, call.caller.account_id)
    return {"OpenIDConnectProviderList": [{"Arn": arn} for arn in arns]}


@operation("iam", "DeleteOpenIDConnectProvider")
def delete_oidc_provider(call: Call) -> Result:
    arn = _oidc(call, "iam:DeleteOpenIDConnectProvider")
    oidc_providers.delete(call.tx, call.caller.account_id, arn)
    return None


@operation("iam", "AddClientIDToOpenIDConnectProvider")
def add_client_id(call: Call) -> Result:
    arn = _oidc(call, "iam:AddClientIDToOpenIDConnectProvider")
    oidc_providers.add_client_id(call.tx, call.caller.account_id, arn, call.params["ClientID"])
    return None


@operation("iam", "RemoveClientIDFromOpenIDConnectProvider")
def remove_client_id(call: Call) -> Result:
    arn = _oidc(call, "iam:RemoveClientIDFromOpenIDConnectProvider")
    oidc_providers.remove_client_id(call.tx, call.caller.account_id, arn, call.params["ClientID"])
    return None


@operation("iam", "UpdateOpenIDConnectProviderThumbprint")
def update_thumbprints(call: Call) -> Result:
    arn = _oidc(call, "iam:UpdateOpenIDConnectProviderThumbprint")
    oidc_providers.update_thumbprints(
        call.tx, call.caller.account_id, arn, call.params["ThumbprintList"]
    )
    return None


# -- SAML ------------------------------------------------------------------------------------
_SAML_UNOFFERED = (
    "AssertionEncryptionMode",
    "AddPrivateKey",
    "ContextProvider",
    "IdentityCenterInstanceArn",
)


def _saml(call: Call, action: str, extra: dict[str, Any] | None = None) -> str:
    arn = str(call.params["SAMLProviderArn"])
    saml_providers.check_arn(arn)
    authorize(call, action, arn, {**aws_resource_tags(call, arn), **(extra or {})})
    return arn


@operation("iam", "CreateSAMLProvider")
def create_saml_provider(call: Call) -> Result:
    p = call.params
    _refuse_unoffered(call, *_SAML_UNOFFERED)
    account = call.caller.account_id
    arn = saml_providers.provider_arn(account, p["Name"])
    authorize(call, "iam:CreateSAMLProvider", arn, tag_context(call))
    saml_providers.create(
        call.tx,
        account,
        p["Name"],
        p["SAMLMetadataDocument"],
        call.services.quotas,
        p.get("Tags") or (),
    )
    return {"SAMLProviderArn": arn, "Tags": tags.list_tags(call.tx, arn) or None}


@operation("iam", "GetSAMLProvider")
def get_saml_provider(call: Call) -> Result:
    arn = _saml(call, "iam:GetSAMLProvider")
    return saml_providers.view(call.tx, saml_providers.get(call.tx, call.caller.account_id, arn))


@operation("iam", "ListSAMLProviders")
def list_saml_providers(call: Call) -> Result:
    authorize(call, "iam:ListSAMLProviders", "*")  # no resource-level permissions
    return {"SAMLProviderList": saml_providers.listing(call.tx, call.caller.account_id)}


@operation("iam", "UpdateSAMLProvider")
def update_saml_provider(call: Call) -> Result:
    _refuse_unoffered(
        call,
        *_SAML_UNOFFERED,
        "RemovePrivateKey",
        "RemoveContextProvider",
        "RemoveIdentityCenterInstance",
    )
    arn = _saml(call, "iam:UpdateSAMLProvider")
    account = call.caller.account_id
    document = call.params.get("SAMLMetadataDocument")
    if document:
        saml_providers.update_metadata(call.tx, account, arn, document)
    else:
        saml_providers.get(call.tx, account, arn)
    return {"SAMLProviderArn": arn}


@operation("iam", "DeleteSAMLProvider")
def delete_saml_provider(call: Call) -> Result:
    arn = _saml(call, "iam:DeleteSAMLProvider")
    saml_providers.delete(call.tx, call.caller.account_id, arn)
    return None


def _register_tag_operations(
    name: str, locate: Callable[[Call, str, dict[str, Any] | None], str], get: Getter
) -> None:
    """Tag{name}, Untag{name} and List{name}Tags for a provider kind addressed by its ARN."""

    def tag_provider(call: Call) -> Result:
        arn = locate(call, f"iam:Tag{name}", tag_context(call))
        get(call.tx, call.caller.account_id, arn)
        tags.tag(call.tx, call.caller.account_id, arn, call.params["Tags"], call.services.quotas)
        return None

    def untag_provider(call: Call) -> Result:
        keys = call.params["TagKeys"]
        arn = locate(call, f"iam:Untag{name}", {"aws:TagKeys": keys})
        get(call.tx, call.caller.account_id, arn)
        tags.untag(call.tx, arn, keys)
        return None

    def list_provider_tags(call: Call) -> Result:
        arn = locate(call, f"iam:List{name}Tags", None)
        get(call.tx, call.caller.account_id, arn)
        return paginate(call, tags.list_tags(call.tx, arn), "Tags")

    operation("iam", f"Tag{name}")(tag_provider)
    operation("iam", f"Untag{name}")(untag_provider)
    operation("iam", f"List{name}Tags")(list_provider_tags)


_register_tag_operations("OpenIDConnectProvider", _oidc, oidc_providers.get)
_register_tag_operations("SAMLProvider", _saml, saml_providers.get)
