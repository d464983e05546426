"""STS end to end: boto3 against a real server — caller identity, MFA sessions, role sessions,
federated users, refused tokens and revoked sessions."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from typing import Any

import httpx
import pyotp
import pytest
from botocore.exceptions import ClientError

from stockade.auth.secrets import SecretBox
from stockade.auth.session_tokens import SessionClaims, SessionKind, TokenSealer
from tests.api import wire
from tests.api.conftest import Server
from tests.api.helpers import error_of, unique

STS_VERSION = "2011-06-15"
INVALID = "The security token included in the request is invalid."
MFA_FAILED = "MultiFactorAuthentication failed with invalid MFA one time pass code. "

# The MFA-enforcing policy of the IAM User Guide: without MFA, only manage your own MFA device
# and get an MFA session.
ENFORCE_MFA = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["iam:ListUsers", "iam:ListRoles"], "Resource": "*"},
        {
            "Sid": "DenyAllExceptListedIfNoMFA",
            "Effect": "Deny",
            "NotAction": [
                "iam:CreateVirtualMFADevice",
                "iam:EnableMFADevice",
                "iam:GetUser",
                "iam:ListMFADevices",
                "iam:ResyncMFADevice",
                "sts:GetSessionToken",
            ],
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        },
    ],
}


def _document(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


class Person:
    """An IAM user with keys and, on request, an enabled virtual MFA device."""

    def __init__(self, server: Server, iam: Any, policy: dict[str, Any] | None = None) -> None:
        self.server = server
        self.name = unique("sts-user")
        user = iam.create_user(UserName=self.name)["User"]
        self.arn = user["Arn"]
        self.user_id = user["UserId"]
        key = iam.create_access_key(UserName=self.name)["AccessKey"]
        self.key, self.secret = key["AccessKeyId"], key["SecretAccessKey"]
        if policy is not None:
            iam.put_user_policy(
                UserName=self.name, PolicyName="p", PolicyDocument=json.dumps(policy)
            )
        self.serial: str | None = None
        self.totp: pyotp.TOTP | None = None

    def with_mfa(self, iam: Any) -> Person:
        created = iam.create_virtual_mfa_device(VirtualMFADeviceName=self.name)
        device = created["VirtualMFADevice"]
        self.serial = device["SerialNumber"]
        self.totp = pyotp.TOTP(device["Base32StringSeed"].decode())
        if time.time() % 30 > 25:
            # Codes two steps old are at the edge of what enabling accepts: not across a step.
            time.sleep(30 - time.time() % 30 + 0.1)
        now = time.time()
        # Codes of two steps ago: the current and the next step stay free for the test.
        iam.enable_mfa_device(
            UserName=self.name,
            SerialNumber=self.serial,
            AuthenticationCode1=self.totp.at(now - 60),
            AuthenticationCode2=self.totp.at(now - 30),
        )
        return self

    def code(self, steps_ahead: int = 0) -> str:
        assert self.totp is not None
        return str(self.totp.at(time.time() + 30 * steps_ahead))

    def client(self, service: str) -> Any:
        return self.server.client(service, self.key, self.secret)


def _session_client(server: Server, service: str, credentials: dict[str, Any]) -> Any:
    return server.client(
        service,
        credentials["AccessKeyId"],
        credentials["SecretAccessKey"],
        credentials["SessionToken"],
    )


def _role(
    iam: Any,
    trust: list[dict[str, Any]],
    *,
    policy: list[dict[str, Any]] | None = None,
    max_duration: int | None = None,
    tags: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if max_duration:
        extra["MaxSessionDuration"] = max_duration
    if tags:
        extra["Tags"] = tags
    role = iam.create_role(
        RoleName=unique("sts-role"), AssumeRolePolicyDocument=_document(trust), **extra
    )["Role"]
    if policy:
        iam.put_role_policy(
            RoleName=role["RoleName"], PolicyName="permissions", PolicyDocument=_document(policy)
        )
    return dict(role)


def _trust(principal: str, **more: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole", **more}


LIST_USERS = [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]


# -- caller identity -------------------------------------------------------------------------
def test_caller_identity_of_a_user_and_of_its_keys(server: Server, iam: Any) -> None:
    person = Person(server, iam)
    identity = person.client("sts").get_caller_identity()
    assert (identity["Arn"], identity["UserId"], identity["Account"]) == (
        person.arn,
        person.user_id,
        server.account_id,
    )
    info = server.client("sts").get_access_key_info(AccessKeyId=person.key)
    assert info["Account"] == server.account_id


# -- GetSessionToken and MFA -----------------------------------------------------------------
def test_mfa_enforcing_policy_refuses_long_term_keys_and_admits_the_mfa_session(
    server: Server, iam: Any
) -> None:
    person = Person(server, iam, ENFORCE_MFA).with_mfa(iam)
    with pytest.raises(ClientError) as refused:
        person.client("iam").list_users()
    code, status, message = error_of(refused)
    assert (code, status) == ("AccessDenied", 403)
    assert "with an explicit deny in an identity-based policy" in message

    sts = person.client("sts")
    token_code = person.code()
    session = sts.get_session_token(SerialNumber=person.serial, TokenCode=token_code)
    credentials = session["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    users = _session_client(server, "iam", credentials).list_users()["Users"]
    assert person.name in {user["UserName"] for user in users}
    # The session is the user itself.
    identity = _session_client(server, "sts", credentials).get_caller_identity()
    assert (identity["Arn"], identity["UserId"]) == (person.arn, person.user_id)

    # The same code again is refused, as is any code the device never showed.
    with pytest.raises(ClientError) as replayed:
        sts.get_session_token(SerialNumber=person.serial, TokenCode=token_code)
    assert error_of(replayed) == ("AccessDenied", 403, MFA_FAILED)
    wrong = f"{(int(person.code(1)) + 1) % 1_000_000:06d}"
    with pytest.raises(ClientError) as guessed:
        sts.get_session_token(SerialNumber=person.serial, TokenCode=wrong)
    assert error_of(guessed) == ("AccessDenied", 403, MFA_FAILED)


def test_a_session_without_mfa_cannot_call_iam_and_only_two_sts_operations(
    server: Server, iam: Any
) -> None:
    person = Person(server, iam, {"Version": "2012-10-17", "Statement": LIST_USERS})
    credentials = person.client("sts").get_session_token(DurationSeconds=900)["Credentials"]
    with pytest.raises(ClientError) as iam_call:
        _session_client(server, "iam", credentials).list_users()
    assert error_of(iam_call) == ("InvalidClientTokenId", 403, INVALID)
    sts = _session_client(server, "sts", credentials)
    assert sts.get_caller_identity()["Arn"] == person.arn
    with pytest.raises(ClientError) as again:
        sts.get_session_token()
    assert error_of(again) == (
        "AccessDenied",
        403,
        "Cannot call GetSessionToken with session credentials",
    )
    with pytest.raises(ClientError) as federation:
        sts.get_federation_token(Name="nope")
    assert error_of(federation)[:2] == ("AccessDenied", 403)


def test_someone_elses_device_does_not_authenticate(server: Server, iam: Any) -> None:
    owner = Person(server, iam).with_mfa(iam)
    other = Person(server, iam)
    with pytest.raises(ClientError) as refused:
        other.client("sts").get_session_token(SerialNumber=owner.serial, TokenCode=owner.code())
    assert error_of(refused) == ("AccessDenied", 403, MFA_FAILED)


def test_session_duration_bounds(server: Server, iam: Any) -> None:
    person = Person(server, iam)
    signer = wire.Signer(person.key, person.secret, service="sts")
    with httpx.Client() as http:
        for seconds in (899, 129_601):
            params = wire.action(
                "GetSessionToken", [("DurationSeconds", str(seconds))], version=STS_VERSION
            )
            reply = wire.send(http, server.endpoint, params, signer)
            assert (reply.code, reply.status) == ("ValidationError", 400)
    sts = person.client("sts")
    for seconds in (900, 129_600):
        assert sts.get_session_token(DurationSeconds=seconds)["Credentials"]["AccessKeyId"]


# -- refused tokens --------------------------------------------------------------------------
def _server_sealer(server: Server) -> TokenSealer:
    return TokenSealer(SecretBox.from_data_dir(server.data_dir))


def test_tampered_garbled_and_missing_tokens_are_refused(server: Server, iam: Any) -> None:
    person = Person(server, iam)
    credentials = person.client("sts").get_session_token()["Credentials"]
    token = credentials["SessionToken"]
    flipped = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    flipped[len(flipped) // 2] ^= 0x20
    tampered = base64.urlsafe_b64encode(bytes(flipped)).rstrip(b"=").decode()
    for bad in (tampered, token[:-8], "garbage", None):
        client = server.client(
            "sts", credentials["AccessKeyId"], credentials["SecretAccessKey"], bad
        )
        with pytest.raises(ClientError) as refused:
            client.get_caller_identity()
        assert error_of(refused) == ("InvalidClientTokenId", 403, INVALID)
    # The token may come in a presigned URL's query string instead of a header.
    sts = _session_client(server, "sts", credentials)
    url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=300, HttpMethod="GET")
    assert "X-Amz-Security-Token=" in url
    reply = wire.read_reply(httpx.get(url))
    assert reply.status == 200, reply.body
    assert reply.find_text("GetCallerIdentityResult/Arn") == [person.arn]
    # Nor does a session token go with a long-term key.
    with pytest.raises(ClientError) as mixed:
        server.client("sts", person.key, person.secret, token).get_caller_identity()
    assert error_of(mixed)[0] == "InvalidClientTokenId"


def test_an_expired_token_is_refused(server: Server, iam: Any) -> None:
    # A token the server itself would have sealed an hour ago, for 15 minutes.
    person = Person(server, iam)
    issued = int(time.time()) - 3600
    from stockade.auth.session_tokens import new_temporary_key_id

    claims = SessionClaims(
        access_key_id=new_temporary_key_id(server.account_id),
        secret_access_key="x" * 40,
        account_id=server.account_id,
        kind=SessionKind.USER,
        subject_id=person.user_id,
        name=person.name,
        session_name=None,
        issued_at=issued,
        expires_at=issued + 900,
    )
    token = _server_sealer(server).seal(claims)
    client = server.client("sts", claims.access_key_id, claims.secret_access_key, token)
    with pytest.raises(ClientError) as refused:
        client.get_caller_identity()
    assert error_of(refused) == (
        "ExpiredToken",
        400,
        "The security token included in the request is expired",
    )
    # The same claims, still valid, are accepted: only the expiry differed.
    fresh = SessionClaims(**{**_fields(claims), "expires_at": int(time.time()) + 900})
    client = server.client(
        "sts", fresh.access_key_id, fresh.secret_access_key, _server_sealer(server).seal(fresh)
    )
    assert client.get_caller_identity()["Arn"] == person.arn


def _fields(claims: SessionClaims) -> dict[str, Any]:
    return {name: getattr(claims, name) for name in claims.__dataclass_fields__}


# -- AssumeRole ------------------------------------------------------------------------------
def test_trust_policy_naming_the_user_is_enough_naming_the_account_is_not(
    server: Server, iam: Any
) -> None:
    person = Person(server, iam)
    sts = person.client("sts")
    named = _role(iam, [_trust(person.arn)], policy=LIST_USERS)
    session = sts.assume_role(RoleArn=named["Arn"], RoleSessionName="named")
    assumed = session["AssumedRoleUser"]
    assert assumed["Arn"] == (
        f"arn:aws:sts::{server.account_id}:assumed-role/{named['RoleName']}/named"
    )
    assert assumed["AssumedRoleId"] == f"{named['RoleId']}:named"
    assert "PackedPolicySize" not in session  # no session policy nor tags were passed
    identity = _session_client(server, "sts", session["Credentials"]).get_caller_identity()
    assert (identity["Arn"], identity["UserId"]) == (assumed["Arn"], assumed["AssumedRoleId"])
    # The session acts with the role's permissions, not the user's (who has none).
    _session_client(server, "iam", session["Credentials"]).list_users()
    role = iam.get_role(RoleName=named["RoleName"])["Role"]
    assert role["RoleLastUsed"]["Region"] == "us-east-1"
    assert "LastUsedDate" in role["RoleLastUsed"]

    account = _role(iam, [_trust(server.account_id)])
    with pytest.raises(ClientError) as refused:
        sts.assume_role(RoleArn=account["Arn"], RoleSessionName="account")
    assert error_of(refused) == (
        "AccessDenied",
        403,
        f"User: {person.arn} is not authorized to perform: sts:AssumeRole on resource: "
        f"{account['Arn']}",
    )
    iam.put_user_policy(
        UserName=person.name,
        PolicyName="assume",
        PolicyDocument=_document(
            [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": account["Arn"]}]
        ),
    )
    assert sts.assume_role(RoleArn=account["Arn"], RoleSessionName="account")["Credentials"]

    # An identity policy alone does not open a role whose trust policy names someone else.
    other = _role(iam, [_trust(f"arn:aws:iam::{server.account_id}:user/someone-else")])
    iam.put_user_policy(
        UserName=person.name,
        PolicyName="assume",
        PolicyDocument=_document(
            [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]
        ),
    )
    with pytest.raises(ClientError) as untrusted:
        sts.assume_role(RoleArn=other["Arn"], RoleSessionName="other")
    assert error_of(untrusted)[0] == "AccessDenied"
    # A role that does not exist reads the same as one the caller may not assume.
    missing = f"arn:aws:iam::{server.account_id}:role/no-such-role"
    with pytest.raises(ClientError) as absent:
        sts.assume_role(RoleArn=missing, RoleSessionName="missing")
    assert error_of(absent)[0] == "AccessDenied"
    with pytest.raises(ClientError) as not_a_role:
        sts.assume_role(RoleArn=f"arn:aws:iam::{server.account_id}:user/x", RoleSessionName="user")
    assert error_of(not_a_role) == ("ValidationError", 400, "Request ARN is invalid")


def test_external_id_condition(server: Server, iam: Any) -> None:
    person = Person(server, iam)
    role = _role(
        iam,
        [_trust(person.arn, Condition={"StringEquals": {"sts:ExternalId": "Unique-42"}})],
    )
    sts = person.client("sts")
    for given in ({}, {"ExternalId": "unique-42"}):
        with pytest.raises(ClientError) as refused:
            sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ext", **given)
        assert error_of(refused)[0] == "AccessDenied"
    assert sts.assume_role(RoleArn=role["Arn"], RoleSessionName="ext", ExternalId="Unique-42")


def test_mfa_condition_in_the_trust_policy(server: Server, iam: Any) -> None:
    person = Person(server, iam).with_mfa(iam)
    role = _role(
        iam,
        [_trust(person.arn, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})],
        policy=[
            {
                "Effect": "Deny",
                "Action": "iam:ListUsers",
                "Resource": "*",
                "Condition": {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}},
            },
            *LIST_USERS,
        ],
    )
    sts = person.client("sts")
    with pytest.raises(ClientError) as without:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="mfa")
    assert error_of(without)[0] == "AccessDenied"
    wrong = f"{(int(person.code()) + 1) % 1_000_000:06d}"
    with pytest.raises(ClientError) as bad_code:
        sts.assume_role(
            RoleArn=role["Arn"], RoleSessionName="mfa", SerialNumber=person.serial, TokenCode=wrong
        )
    assert error_of(bad_code) == ("AccessDenied", 403, MFA_FAILED)
    session = sts.assume_role(
        RoleArn=role["Arn"],
        RoleSessionName="mfa",
        SerialNumber=person.serial,
        TokenCode=person.code(),
    )
    # The session is MFA-authenticated: the role's MFA-age condition is satisfied.
    _session_client(server, "iam", session["Credentials"]).list_users()

    # The usual tool flow: an MFA session first (GetSessionToken), then AssumeRole with it and
    # no code; the trust policy sees the session's MFA.
    mfa_session = sts.get_session_token(SerialNumber=person.serial, TokenCode=person.code(1))
    from_session = _session_client(server, "sts", mfa_session["Credentials"]).assume_role(
        RoleArn=role["Arn"], RoleSessionName="via-session"
    )
    _session_client(server, "iam", from_session["Credentials"]).list_users()
    # A session made without MFA does not satisfy it.
    plain = sts.get_session_token()
    with pytest.raises(ClientError) as plain_refused:
        _session_client(server, "sts", plain["Credentials"]).assume_role(
            RoleArn=role["Arn"], RoleSessionName="via-plain"
        )
    assert error_of(plain_refused)[0] == "AccessDenied"


def test_durations_as_aws_documents(server: Server, iam: Any) -> None:
    person = Person(server, iam)
    role = _role(
        iam,
        [_trust(person.arn)],
        policy=[{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
        max_duration=7200,
    )
    sts = person.client("sts")
    with pytest.raises(ClientError) as too_long:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="dur", DurationSeconds=7201)
    assert error_of(too_long) == (
        "ValidationError",
        400,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    )
    params = [("RoleArn", role["Arn"]), ("RoleSessionName", "dur"), ("DurationSeconds", "899")]
    with httpx.Client() as http:
        signer = wire.Signer(person.key, person.secret, service="sts")
        reply = wire.send(
            http, server.endpoint, wire.action("AssumeRole", params, STS_VERSION), signer
        )
    assert (reply.code, reply.status) == ("ValidationError", 400)
    session = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="dur", DurationSeconds=7200)

    # Role chaining: the role's session assumes a role (itself, here) for at most an hour.
    iam.update_assume_role_policy(
        RoleName=role["RoleName"],
        PolicyDocument=_document([_trust(person.arn), _trust(role["Arn"])]),
    )
    chained = _session_client(server, "sts", session["Credentials"])
    with pytest.raises(ClientError) as chain_too_long:
        chained.assume_role(RoleArn=role["Arn"], RoleSessionName="chain", DurationSeconds=3601)
    assert error_of(chain_too_long) == (
        "ValidationError",
        400,
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
        "role chaining.",
    )
    second = chained.assume_role(RoleArn=role["Arn"], RoleSessionName="chain", DurationSeconds=3600)
    assert second["AssumedRoleUser"]["Arn"].endswith(f"assumed-role/{role['RoleName']}/chain")


def test_session_policies_narrow_and_context_names_the_role(server: Server, iam: Any) -> None:
    person = Person(server, iam)
    role = _role(
        iam,
        [
            {
                "Effect": "Allow",
                "Principal": {"AWS": person.arn},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
            }
        ],
        policy=[
            {
                "Effect": "Allow",
                "Action": "iam:ListUsers",
                "Resource": "*",
                # PrincipalArn is the role's ARN; userid the role id and the session name.
                "Condition": {
                    "StringEquals": {
                        "aws:PrincipalType": "AssumedRole",
                        "aws:PrincipalTag/team": "blue",
                    },
                    "StringLike": {"aws:userid": "AROA*:tagged"},
                },
            },
            {
                "Effect": "Allow",
                "Action": "iam:ListRoles",
                "Resource": "*",
                # The role's ARN, not the session's (arn:aws:sts::…:assumed-role/…).
                "Condition": {
                    "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{server.account_id}:role/sts-*"}
                },
            },
        ],
        tags=[{"Key": "team", "Value": "red"}],
    )
    sts = person.client("sts")
    # The role's own tag says red; the session tag overrides it.
    session = sts.assume_role(
        RoleArn=role["Arn"], RoleSessionName="tagged", Tags=[{"Key": "team", "Value": "blue"}]
    )
    assert 0 < session["PackedPolicySize"] <= 100
    _session_client(server, "iam", session["Credentials"]).list_users()
    untagged = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="tagged")
    with pytest.raises(ClientError) as red:
        _session_client(server, "iam", untagged["Credentials"]).list_users()
    assert error_of(red)[0] == "AccessDenied"

    # A session policy that allows only ListRoles takes ListUsers away.
    narrowed = sts.assume_role(
        RoleArn=role["Arn"],
        RoleSessionName="tagged",
        Tags=[{"Key": "team", "Value": "blue"}],
        Policy=_document([{"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}]),
    )
    client = _session_client(server, "iam", narrowed["Credentials"])
    with pytest.raises(ClientError) as narrowed_away:
        client.list_users()
    code, _, message = error_of(narrowed_away)
    assert code == "AccessDenied" and "because no session policy allows" in message
    client.list_roles()
    # A session policy must be a valid policy.
    with pytest.raises(ClientError) as malformed:
        sts.assume_role(
            RoleArn=role["Arn"],
            RoleSessionName="tagged",
            Policy=_document([{"Effect": "Allow", "Action": "iam:ListRoles"}]),
        )
    assert error_of(malformed)[:2] == ("MalformedPolicyDocument", 400)


def test_tags_need_tag_session_in_the_trust_policy(server: Server, iam: Any) -> None:
    person = Person(server, iam)
    role = _role(iam, [_trust(person.arn)])
    with pytest.raises(ClientError) as refused:
        person.client("sts").assume_role(
            RoleArn=role["Arn"], RoleSessionName="tag", Tags=[{"Key": "k", "Value": "v"}]
        )
    assert error_of(refused) == (
        "AccessDenied",
        403,
        f"User: {person.arn} is not authorized to perform: sts:TagSession on resource: "
        f"{role['Arn']}",
    )


def test_packed_policy_too_large(server: Server, iam: Any) -> None:
    person = Person(server, iam)
    role = _role(
        iam,
        [
            {
                "Effect": "Allow",
                "Principal": {"AWS": person.arn},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
            }
        ],
    )
    tags = [
        {"Key": f"k{i}-{os.urandom(40).hex()}", "Value": os.urandom(100).hex()} for i in range(50)
    ]
    with pytest.raises(ClientError) as refused:
        person.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="big", Tags=tags)
    assert error_of(refused)[:2] == ("PackedPolicyTooLarge", 400)


# -- GetFederationToken ----------------------------------------------------------------------
def test_federated_user(server: Server, iam: Any) -> None:
    person = Person(
        server,
        iam,
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:GetFederationToken", "Resource": "*"}],
        },
    )
    token = person.client("sts").get_federation_token(
        Name="bob", Policy=_document([{"Effect": "Allow", "Action": "*", "Resource": "*"}])
    )
    arn = f"arn:aws:sts::{server.account_id}:federated-user/bob"
    assert token["FederatedUser"] == {"FederatedUserId": f"{server.account_id}:bob", "Arn": arn}
    credentials = token["Credentials"]
    identity = _session_client(server, "sts", credentials).get_caller_identity()
    assert (identity["Arn"], identity["UserId"]) == (arn, f"{server.account_id}:bob")
    with pytest.raises(ClientError) as iam_call:
        _session_client(server, "iam", credentials).list_users()
    assert error_of(iam_call)[0] == "InvalidClientTokenId"
    assert (
        server.client("sts").get_access_key_info(AccessKeyId=credentials["AccessKeyId"])["Account"]
        == server.account_id
    )
    # Without sts:GetFederationToken a user gets none.
    with pytest.raises(ClientError) as refused:
        Person(server, iam).client("sts").get_federation_token(Name="eve")
    assert error_of(refused)[0] == "AccessDenied"


# -- revoking sessions -----------------------------------------------------------------------
def test_revoking_sessions_refuses_older_tokens_only(server: Server, iam: Any) -> None:
    person = Person(server, iam)
    role = _role(iam, [_trust(person.arn)], policy=LIST_USERS)
    sts = person.client("sts")
    older = _session_client(
        server, "iam", sts.assume_role(RoleArn=role["Arn"], RoleSessionName="old")["Credentials"]
    )
    older.list_users()
    time.sleep(1.1)  # token issue times have whole seconds, as AWS's do
    storage = ["--data-dir", str(server.data_dir)]
    url = _database_url(server)
    if url:
        storage += ["--database-url", url]
    revoked = subprocess.run(
        [sys.executable, "-m", "stockade", "revoke-sessions", *storage, "--role", role["RoleName"]],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert revoked.returncode == 0, revoked.stderr
    with pytest.raises(ClientError) as refused:
        older.list_users()
    code, _, message = error_of(refused)
    assert code == "AccessDenied" and "explicit deny" in message
    newer = _session_client(
        server, "iam", sts.assume_role(RoleArn=role["Arn"], RoleSessionName="new")["Credentials"]
    )
    newer.list_users()
    policy = iam.get_role_policy(RoleName=role["RoleName"], PolicyName="AWSRevokeOlderSessions")
    statement = policy["PolicyDocument"]["Statement"][0]
    assert statement["Effect"] == "Deny"
    assert set(statement["Condition"]["DateLessThan"]) == {"aws:TokenIssueTime"}


def _database_url(server: Server) -> str | None:
    """The PostgreSQL URL a server was started with, read from its command line."""
    args = server.process.args
    assert isinstance(args, list)
    if "--database-url" in args:
        return str(args[args.index("--database-url") + 1])
    return None


def test_issue_time_is_in_the_context(server: Server, iam: Any) -> None:
    person = Person(server, iam)
    cutoff = "2000-01-01T00:00:00Z"
    role = _role(
        iam,
        [_trust(person.arn)],
        policy=[
            {
                "Effect": "Allow",
                "Action": "iam:ListUsers",
                "Resource": "*",
                "Condition": {"DateGreaterThan": {"aws:TokenIssueTime": cutoff}},
            }
        ],
    )
    session = person.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="tag")
    _session_client(server, "iam", session["Credentials"]).list_users()


# -- DecodeAuthorizationMessage --------------------------------------------------------------
def test_decode_authorization_message(server: Server, iam: Any) -> None:
    from stockade.auth.authorization_messages import MessageSealer

    details = {"allowed": False, "context": {"action": "invoices:GetInvoice"}}
    sealer = MessageSealer(SecretBox.from_data_dir(server.data_dir))
    message = sealer.encode(details, server.account_id)
    decoded = server.client("sts").decode_authorization_message(EncodedMessage=message)
    assert json.loads(decoded["DecodedMessage"]) == details

    # Reading one needs sts:DecodeAuthorizationMessage.
    with pytest.raises(ClientError) as refused:
        Person(server, iam).client("sts").decode_authorization_message(EncodedMessage=message)
    assert error_of(refused)[0] == "AccessDenied"
    # A message sealed for another account, or altered, does not open.
    for bad in (sealer.encode(details, "210987654321"), message[:-3] + "AAA", "x"):
        with pytest.raises(ClientError) as invalid:
            server.client("sts").decode_authorization_message(EncodedMessage=bad)
        assert error_of(invalid)[:2] == ("InvalidAuthorizationMessageException", 400)


def test_source_identity_needs_set_source_identity_and_reaches_the_context(
    server: Server, iam: Any
) -> None:
    person = Person(server, iam)
    condition = {"StringEquals": {"aws:SourceIdentity": "alice@example.com"}}
    role = _role(
        iam,
        [_trust(person.arn)],
        policy=[{**LIST_USERS[0], "Condition": condition}],
    )
    sts = person.client("sts")
    with pytest.raises(ClientError) as refused:
        sts.assume_role(
            RoleArn=role["Arn"], RoleSessionName="src", SourceIdentity="alice@example.com"
        )
    assert "sts:SetSourceIdentity" in error_of(refused)[2]
    iam.update_assume_role_policy(
        RoleName=role["RoleName"],
        PolicyDocument=_document(
            [_trust(person.arn, Action=["sts:AssumeRole", "sts:SetSourceIdentity"])]
        ),
    )
    session = sts.assume_role(
        RoleArn=role["Arn"], RoleSessionName="src", SourceIdentity="alice@example.com"
    )
    assert session["SourceIdentity"] == "alice@example.com"
    _session_client(server, "iam", session["Credentials"]).list_users()
    without = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="src")
    with pytest.raises(ClientError) as no_source:
        _session_client(server, "iam", without["Credentials"]).list_users()
    assert error_of(no_source)[0] == "AccessDenied"


def test_a_deleted_role_ends_its_sessions(server: Server, iam: Any) -> None:
    person = Person(server, iam)
    role = _role(iam, [_trust(person.arn)], policy=LIST_USERS)
    session = person.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="gone")
    client = _session_client(server, "sts", session["Credentials"])
    assert client.get_caller_identity()["Arn"].endswith(f"/{role['RoleName']}/gone")
    iam.delete_role_policy(RoleName=role["RoleName"], PolicyName="permissions")
    iam.delete_role(RoleName=role["RoleName"])
    # Even a new role of the same name is another role: the session stays ended.
    _role_named(iam, role["RoleName"], [_trust(person.arn)])
    with pytest.raises(ClientError) as refused:
        client.get_caller_identity()
    assert error_of(refused) == ("InvalidClientTokenId", 403, INVALID)


def _role_named(iam: Any, name: str, trust: list[dict[str, Any]]) -> None:
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=_document(trust))
