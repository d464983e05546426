"""AssumeRoleWithWebIdentity and AssumeRoleWithSAML end to end: a CI job's OIDC token and a
corporate IdP's SAML assertion, made and signed by test identity providers with their own keys,
exchanged with boto3 (unsigned, as the SDK sends them) for role sessions that then work.

The server trusts the CA of a local HTTPS issuer (STOCKADE_OIDC_CA_BUNDLE), so one provider's
keys are fetched through OpenID Connect Discovery while GitHub's are uploaded with
`stockade oidc-provider set-jwks`, since the real GitHub is not reachable from a test.
"""

from __future__ import annotations

import base64
import copy
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from lxml import etree

from tests.api.conftest import (
    NO_POSTGRES,
    Server,
    _drop_postgres_database,
    _postgres_database,
    start_server,
    stop_server,
)
from tests.api.helpers import error_of, unique
from tests.idp import DS, GITHUB_SUB, SAML, OidcIssuer, SamlIdp, utcnow
from tests.issuer_server import Issuer, serve_issuer

GITHUB = "https://token.actions.githubusercontent.com"
GITHUB_HOST = "token.actions.githubusercontent.com"


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Issuer]:
    with serve_issuer(tmp_path_factory.mktemp("issuer")) as running:
        yield running


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, issuer: Issuer
) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("stockade")
    database = url = None
    if request.param == "postgresql":
        database = _postgres_database()
        if database is None:
            pytest.skip(reason=NO_POSTGRES)
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
    running = start_server(tmp, url, env={"STOCKADE_OIDC_CA_BUNDLE": str(issuer.ca_file)})
    try:
        yield running
    finally:
        stop_server(running)
        if database:
            _drop_postgres_database(database)


@pytest.fixture(scope="module")
def iam(server: Server) -> Any:
    return server.client("iam")


def anonymous_sts(server: Server) -> Any:
    """An STS client with no credentials at all, as a CI job has before it federates."""
    return boto3.client(
        "sts",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )


def session_client(server: Server, service: str, credentials: dict[str, Any]) -> Any:
    return server.client(
        service,
        credentials["AccessKeyId"],
        credentials["SecretAccessKey"],
        credentials["SessionToken"],
    )


def set_jwks(server: Server, url: str, jwks: str, tmp_path: Path) -> None:
    """`stockade oidc-provider set-jwks` against the running server's store."""
    path = tmp_path / "jwks.json"
    path.write_text(jwks)
    args = server.process.args
    assert isinstance(args, list)
    storage = ["--data-dir", str(server.data_dir)]
    if "--database-url" in args:
        storage += ["--database-url", str(args[args.index("--database-url") + 1])]
    command = ["oidc-provider", "set-jwks", "--url", url, "--jwks-file", str(path), *storage]
    done = subprocess.run(
        [sys.executable, "-m", "stockade", *command],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def role(iam: Any, provider_arn: str, action: str, conditions: dict[str, Any]) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": action,
                "Condition": conditions,
            }
        ],
    }
    name = unique("fed-role")
    arn = str(
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    )
    permissions = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}],
    }
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(permissions))
    return arn


# -- OIDC: GitHub Actions, keys uploaded ------------------------------------------------------
@pytest.fixture(scope="module")
def github(server: Server, iam: Any, tmp_path_factory: pytest.TempPathFactory) -> OidcIssuer:
    github = OidcIssuer(GITHUB)
    iam.create_open_id_connect_provider(
        Url=GITHUB, ClientIDList=["sts.amazonaws.com"], ThumbprintList=[]
    )
    set_jwks(server, GITHUB, github.jwks(), tmp_path_factory.mktemp("jwks"))
    return github


@pytest.fixture(scope="module")
def deploy_role(server: Server, iam: Any, github: OidcIssuer) -> str:
    provider = f"arn:aws:iam::{server.account_id}:oidc-provider/{GITHUB_HOST}"
    return role(
        iam,
        provider,
        "sts:AssumeRoleWithWebIdentity",
        {
            "StringEquals": {
                f"{GITHUB_HOST}:aud": "sts.amazonaws.com",
                f"{GITHUB_HOST}:sub": "repo:acme/app:ref:refs/heads/main",
            }
        },
    )


def assume_web(server: Server, role_arn: str, token: str, **more: Any) -> dict[str, Any]:
    return dict(
        anonymous_sts(server).assume_role_with_web_identity(
            RoleArn=role_arn, RoleSessionName="ci-run", WebIdentityToken=token, **more
        )
    )


def test_the_main_branch_assumes_the_deploy_role_and_uses_its_session(
    server: Server, github: OidcIssuer, deploy_role: str
) -> None:
    answer = assume_web(server, deploy_role, github.token(sub=GITHUB_SUB))
    role_name = deploy_role.rsplit("/", 1)[-1]
    session_arn = f"arn:aws:sts::{server.account_id}:assumed-role/{role_name}/ci-run"
    assert answer["AssumedRoleUser"]["Arn"] == session_arn
    assert answer["SubjectFromWebIdentityToken"] == GITHUB_SUB
    assert answer["Audience"] == "sts.amazonaws.com"
    assert answer["Provider"] == GITHUB
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    identity = session_client(server, "sts", credentials).get_caller_identity()
    assert identity["Arn"] == session_arn
    roles = session_client(server, "iam", credentials).list_roles()["Roles"]
    assert deploy_role in [r["Arn"] for r in roles]


def test_another_branch_is_not_authorized(
    server: Server, github: OidcIssuer, deploy_role: str
) -> None:
    with pytest.raises(ClientError) as caught:
        assume_web(server, deploy_role, github.token(sub="repo:acme/app:ref:refs/heads/feature"))
    assert error_of(caught) == (
        "AccessDenied",
        403,
        "Not authorized to perform sts:AssumeRoleWithWebIdentity",
    )


def test_another_audience_is_an_incorrect_token_audience(
    server: Server, github: OidcIssuer, deploy_role: str
) -> None:
    with pytest.raises(ClientError) as caught:
        assume_web(server, deploy_role, github.token(aud="https://github.com/acme"))
    assert error_of(caught) == ("InvalidIdentityToken", 400, "Incorrect token audience")


def test_an_expired_token_is_refused(server: Server, github: OidcIssuer, deploy_role: str) -> None:
    now = int(utcnow().timestamp())
    token = github.token(iat=now - 1200, nbf=now - 1200, exp=now - 600)
    with pytest.raises(ClientError) as caught:
        assume_web(server, deploy_role, token)
    code, status, message = error_of(caught)
    assert (code, status) == ("ExpiredTokenException", 400)
    assert message.startswith("Token expired: current date/time")


def test_a_token_signed_by_another_key_is_refused(
    server: Server, github: OidcIssuer, deploy_role: str
) -> None:
    impostor = OidcIssuer(GITHUB, kid=github.kid)
    with pytest.raises(ClientError) as caught:
        assume_web(server, deploy_role, impostor.token())
    assert error_of(caught)[:2] == ("InvalidIdentityToken", 400)


def test_a_token_of_an_unregistered_issuer_is_refused(server: Server, deploy_role: str) -> None:
    stranger = OidcIssuer("https://gitlab.example.com")
    with pytest.raises(ClientError) as caught:
        assume_web(server, deploy_role, stranger.token())
    assert error_of(caught) == (
        "InvalidIdentityToken",
        400,
        "No OpenIDConnect provider found in your account for https://gitlab.example.com",
    )


def test_duration_is_bounded_by_the_roles_maximum(
    server: Server, github: OidcIssuer, deploy_role: str
) -> None:
    with pytest.raises(ClientError) as caught:
        assume_web(server, deploy_role, github.token(), DurationSeconds=7200)
    assert error_of(caught)[:2] == ("ValidationError", 400)
    answer = assume_web(server, deploy_role, github.token(), DurationSeconds=900)
    lifetime = answer["Credentials"]["Expiration"] - utcnow()
    assert 800 < lifetime.total_seconds() <= 900


def test_a_session_policy_narrows_the_session(
    server: Server, github: OidcIssuer, deploy_role: str
) -> None:
    nothing = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}],
    }
    answer = assume_web(server, deploy_role, github.token(), Policy=json.dumps(nothing))
    with pytest.raises(ClientError) as caught:
        session_client(server, "iam", answer["Credentials"]).list_roles()
    assert error_of(caught)[0] == "AccessDenied"


def test_the_request_needs_no_signature_and_only_these_two_operations_do(
    server: Server, github: OidcIssuer, deploy_role: str
) -> None:
    form = {
        "Action": "AssumeRoleWithWebIdentity",
        "Version": "2011-06-15",
        "RoleArn": deploy_role,
        "RoleSessionName": "raw",
        "WebIdentityToken": github.token(),
    }
    answer = httpx.post(server.endpoint, data=form)
    assert answer.status_code == 200
    assert b"<AssumeRoleWithWebIdentityResult>" in answer.content
    for action in ("AssumeRole", "GetCallerIdentity", "ListUsers"):
        refused = httpx.post(server.endpoint, data={**form, "Action": action})
        assert refused.status_code == 403
        assert b"<Code>MissingAuthenticationToken</Code>" in refused.content


# -- OIDC: keys fetched from the issuer --------------------------------------------------------
def test_keys_are_fetched_from_a_reachable_issuer(server: Server, iam: Any, issuer: Issuer) -> None:
    signer = OidcIssuer(issuer.url)
    issuer.jwks = signer.jwks()
    iam.create_open_id_connect_provider(Url=issuer.url, ClientIDList=["stockade"])
    host = issuer.url.removeprefix("https://")
    arn = role(
        iam,
        f"arn:aws:iam::{server.account_id}:oidc-provider/{host}",
        "sts:AssumeRoleWithWebIdentity",
        {"StringEquals": {f"{host}:sub": "worker-7"}},
    )
    before = len(issuer.requests)
    answer = assume_web(server, arn, signer.token(aud="stockade", sub="worker-7"))
    assert answer["Provider"] == issuer.url
    assert issuer.requests[before:] == ["/oidc/.well-known/openid-configuration", "/oidc/jwks"]
    with pytest.raises(ClientError) as caught:
        assume_web(server, arn, signer.token(aud="stockade", sub="worker-8"))
    assert error_of(caught)[0] == "AccessDenied"


def test_an_unreachable_issuer_is_a_communication_error(server: Server, iam: Any) -> None:
    url = "https://127.0.0.1:9/nobody"
    iam.create_open_id_connect_provider(Url=url, ClientIDList=["stockade"])
    arn = role(
        iam,
        f"arn:aws:iam::{server.account_id}:oidc-provider/127.0.0.1:9/nobody",
        "sts:AssumeRoleWithWebIdentity",
        {},
    )
    with pytest.raises(ClientError) as caught:
        assume_web(server, arn, OidcIssuer(url).token(aud="stockade"))
    assert error_of(caught)[:2] == ("IDPCommunicationError", 400)


# -- SAML -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def corp(iam: Any) -> tuple[SamlIdp, str]:
    idp = SamlIdp()
    arn = iam.create_saml_provider(Name="Corp", SAMLMetadataDocument=idp.metadata())
    return idp, str(arn["SAMLProviderArn"])


@pytest.fixture(scope="module")
def saml_role(iam: Any, corp: tuple[SamlIdp, str]) -> str:
    _, provider = corp
    return role(
        iam,
        provider,
        "sts:AssumeRoleWithSAML",
        {"StringEquals": {"saml:aud": "https://signin.aws.amazon.com/saml"}},
    )


def assume_saml(server: Server, role_arn: str, provider: str, assertion: str) -> dict[str, Any]:
    return dict(
        anonymous_sts(server).assume_role_with_saml(
            RoleArn=role_arn, PrincipalArn=provider, SAMLAssertion=assertion
        )
    )


def test_a_signed_assertion_assumes_the_role(
    server: Server, corp: tuple[SamlIdp, str], saml_role: str
) -> None:
    idp, provider = corp
    assertion = idp.signed_response(roles=[f"{saml_role},{provider}"], session_name="alice")
    answer = assume_saml(server, saml_role, provider, assertion)
    role_name = saml_role.rsplit("/", 1)[-1]
    session_arn = f"arn:aws:sts::{server.account_id}:assumed-role/{role_name}/alice"
    assert answer["AssumedRoleUser"]["Arn"] == session_arn
    assert answer["Subject"] == "alice@example.com"
    assert answer["SubjectType"] == "persistent"
    assert answer["Issuer"] == idp.entity_id
    assert answer["Audience"] == "https://signin.aws.amazon.com/saml"
    assert len(base64.b64decode(answer["NameQualifier"])) == 20  # a SHA-1, as AWS's
    identity = session_client(server, "sts", answer["Credentials"]).get_caller_identity()
    assert identity["Arn"] == session_arn


def test_an_assertion_altered_after_signing_is_refused(
    server: Server, corp: tuple[SamlIdp, str], saml_role: str
) -> None:
    idp, provider = corp
    other_role = saml_role.rsplit("/", 1)[0] + "/admin"
    tree = etree.fromstring(
        base64.b64decode(idp.signed_response(roles=[f"{other_role},{provider}"]))
    )
    value = tree.find(f".//{{{SAML}}}Attribute/{{{SAML}}}AttributeValue")
    value.text = f"{saml_role},{provider}"
    altered = base64.b64encode(etree.tostring(tree)).decode()
    with pytest.raises(ClientError) as caught:
        assume_saml(server, saml_role, provider, altered)
    assert error_of(caught) == ("InvalidIdentityToken", 400, "Response signature invalid")


def test_a_wrapped_forged_assertion_is_refused(
    server: Server, corp: tuple[SamlIdp, str], saml_role: str
) -> None:
    idp, provider = corp
    other_role = saml_role.rsplit("/", 1)[0] + "/admin"
    tree = etree.fromstring(
        base64.b64decode(idp.signed_response(roles=[f"{other_role},{provider}"]))
    )
    genuine = tree.find(f"{{{SAML}}}Assertion")
    forged = copy.deepcopy(genuine)
    forged.remove(forged.find(f"{{{DS}}}Signature"))
    forged.find(f".//{{{SAML}}}AttributeValue").text = f"{saml_role},{provider}"
    genuine.addprevious(forged)
    with pytest.raises(ClientError) as caught:
        assume_saml(server, saml_role, provider, base64.b64encode(etree.tostring(tree)).decode())
    assert error_of(caught)[:2] == ("InvalidIdentityToken", 400)


def test_a_role_the_assertion_does_not_grant_is_not_authorized(
    server: Server, corp: tuple[SamlIdp, str], saml_role: str
) -> None:
    idp, provider = corp
    other_role = saml_role.rsplit("/", 1)[0] + "/admin"
    assertion = idp.signed_response(roles=[f"{other_role},{provider}"])
    with pytest.raises(ClientError) as caught:
        assume_saml(server, saml_role, provider, assertion)
    assert error_of(caught) == (
        "AccessDenied",
        403,
        "Not authorized to perform sts:AssumeRoleWithSAML",
    )


def test_another_idps_assertion_and_an_unknown_provider_are_refused(
    server: Server, corp: tuple[SamlIdp, str], saml_role: str
) -> None:
    idp, provider = corp
    stranger = SamlIdp(entity_id=idp.entity_id)
    assertion = stranger.signed_response(roles=[f"{saml_role},{provider}"])
    with pytest.raises(ClientError) as caught:
        assume_saml(server, saml_role, provider, assertion)
    assert error_of(caught) == ("InvalidIdentityToken", 400, "Response signature invalid")
    nowhere = provider.rsplit("/", 1)[0] + "/Nowhere"
    assertion = idp.signed_response(roles=[f"{saml_role},{nowhere}"])
    with pytest.raises(ClientError) as caught:
        assume_saml(server, saml_role, nowhere, assertion)
    assert error_of(caught) == ("InvalidIdentityToken", 400, "Specified provider doesn't exist.")


def test_an_expired_assertion_is_refused(
    server: Server, corp: tuple[SamlIdp, str], saml_role: str
) -> None:
    idp, provider = corp
    assertion = idp.signed_response(roles=[f"{saml_role},{provider}"], lifetime=-120)
    with pytest.raises(ClientError) as caught:
        assume_saml(server, saml_role, provider, assertion)
    assert error_of(caught)[:2] == ("ExpiredTokenException", 400)


def test_principal_tags_need_tag_session_and_then_tag_the_session(
    server: Server, iam: Any, corp: tuple[SamlIdp, str]
) -> None:
    idp, provider = corp
    tagged = {"https://aws.amazon.com/SAML/Attributes/PrincipalTag:team": ["platform"]}
    without = role(iam, provider, "sts:AssumeRoleWithSAML", {})
    assertion = idp.signed_response(roles=[f"{without},{provider}"], attributes=tagged)
    with pytest.raises(ClientError) as caught:
        assume_saml(server, without, provider, assertion)
    assert error_of(caught)[0] == "AccessDenied"
    with_tags = role(
        iam,
        provider,
        ["sts:AssumeRoleWithSAML", "sts:TagSession"],
        {"StringEquals": {"aws:RequestTag/team": "platform"}},
    )
    assertion = idp.signed_response(roles=[f"{with_tags},{provider}"], attributes=tagged)
    assert assume_saml(server, with_tags, provider, assertion)["AssumedRoleUser"]
