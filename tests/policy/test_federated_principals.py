"""A trust policy's Federated principal names an identity provider, for the callers it federates."""

from __future__ import annotations

import json

from stockade.policy import PolicyKind, PolicySet, Principal, PrincipalType, Request, parse_policy

OIDC = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
SAML = "arn:aws:iam::123456789012:saml-provider/Corp"
ROLE = "arn:aws:iam::123456789012:role/Deploy"


def trust(principal: dict[str, str], action: str) -> PolicySet:
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": principal, "Action": action}],
    }
    return PolicySet([parse_policy(json.dumps(document), kind=PolicyKind.TRUST)])


def allowed(policies: PolicySet, principal: Principal, action: str) -> bool:
    return policies.strongest_allow(Request(action, ROLE, {}, principal)) is not None


def test_a_federated_principal_names_its_provider_for_web_identity_callers() -> None:
    policies = trust({"Federated": OIDC}, "sts:AssumeRoleWithWebIdentity")
    action = "sts:AssumeRoleWithWebIdentity"
    assert allowed(policies, Principal(OIDC, PrincipalType.WEB_IDENTITY), action)
    other = OIDC.replace("github", "gitlab")
    assert not allowed(policies, Principal(other, PrincipalType.WEB_IDENTITY), action)
    # The same ARN as an AWS principal is not a federated caller.
    assert not allowed(policies, Principal(OIDC, PrincipalType.USER), action)


def test_a_federated_principal_names_a_saml_provider_for_saml_callers() -> None:
    policies = trust({"Federated": SAML}, "sts:AssumeRoleWithSAML")
    assert allowed(policies, Principal(SAML, PrincipalType.SAML_USER), "sts:AssumeRoleWithSAML")


def test_the_account_principal_does_not_cover_federated_callers() -> None:
    policies = trust({"AWS": "arn:aws:iam::123456789012:root"}, "sts:AssumeRoleWithWebIdentity")
    caller = Principal(OIDC, PrincipalType.WEB_IDENTITY)
    assert not allowed(policies, caller, "sts:AssumeRoleWithWebIdentity")
