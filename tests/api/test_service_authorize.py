"""`Stockade.Authorize` on the wire: a service forwards its client's SigV4-signed request and
asks whether the signer may do the service's own action; Stockade verifies the forwarded
signature and decides with the signer's policies. Requests are signed by botocore's SigV4Auth
(the service with scope `stockade`, its clients with scope `invoices`) and sent with httpx."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.api.conftest import Server
from tests.api.helpers import unique

INVOICE_HOST = "invoices.internal:8443"
GET_INVOICE = "invoices:GetInvoice"
INVOICE_42 = "arn:stockade:invoices:::invoice/42"


def _allow(action: str, resource: str = "*", condition: Any = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def _user(iam: Any, policy: dict[str, Any] | None = None, **tags: str) -> tuple[str, str, str]:
    """A new user (name, key id, secret) with an optional inline policy and tags."""
    name = unique("user")
    iam.create_user(UserName=name, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    if policy is not None:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return name, key["AccessKeyId"], key["SecretAccessKey"]


def _signed(
    key: str,
    secret: str,
    *,
    token: str | None = None,
    method: str = "GET",
    url: str = f"https://{INVOICE_HOST}/invoices/42?expand=lines",
    body: bytes = b"",
    service: str = "invoices",
    at: datetime | None = None,
) -> dict[str, Any]:
    """A client's request to the invoice service, signed as an SDK signs it, in Forwarded form."""
    request = AWSRequest(method, url, data=body, headers={"User-Agent": "invoice-client/1.0"})
    auth = SigV4Auth(Credentials(key, secret, token), service, "us-east-1")
    if at is None:
        auth.add_auth(request)
    else:
        with mock.patch("botocore.auth.get_current_datetime", return_value=at):
            auth.add_auth(request)
    parts = urlsplit(url)
    headers = {name: value for name, value in request.headers.items()}
    headers["Host"] = parts.netloc
    return {
        "Method": method,
        "Path": parts.path,
        "QueryString": parts.query,
        "Headers": headers,
        "Body": base64.b64encode(body).decode(),
        "SourceIp": "10.1.2.3",
        "SecureTransport": True,
    }


def _unsigned() -> dict[str, Any]:
    return {
        "Method": "GET",
        "Path": "/invoices/42",
        "Headers": {"Host": INVOICE_HOST},
    }


def call(
    server: Server,
    document: dict[str, Any] | bytes,
    *,
    key: str | None = None,
    secret: str | None = None,
    scope: str = "stockade",
    target: str = "Stockade.Authorize",
) -> tuple[int, dict[str, Any]]:
    """One signed `Stockade.Authorize` call, by the admin unless key/secret say otherwise."""
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    request = AWSRequest(
        "POST",
        server.endpoint + "/",
        data=body,
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target},
    )
    credentials = Credentials(key or server.admin_key, secret or server.admin_secret)
    SigV4Auth(credentials, scope, "us-east-1").add_auth(request)
    prepared = request.prepare()
    reply = httpx.post(prepared.url, headers=dict(prepared.headers.items()), content=body)
    assert reply.headers["content-type"] == "application/x-amz-json-1.1"
    return reply.status_code, reply.json()


def ask(
    server: Server,
    forwarded: dict[str, Any],
    *,
    action: str = GET_INVOICE,
    resource: str = INVOICE_42,
    **extra: Any,
) -> dict[str, Any]:
    status, answer = call(
        server, {"Request": forwarded, "Action": action, "Resource": resource, **extra}
    )
    assert status == 200, answer
    return answer


def test_allowed_user_is_named_and_allowed(server: Server, iam: Any) -> None:
    name, key, secret = _user(iam, _allow("invoices:Get*", "arn:stockade:invoices:::invoice/*"))
    answer = ask(server, _signed(key, secret))
    assert answer["Authenticated"] is True
    assert answer["Decision"] == "Allow"
    assert answer["Outcome"] == "allowed"
    user = iam.get_user(UserName=name)["User"]
    assert answer["Principal"] == {
        "Arn": user["Arn"],
        "AccountId": server.account_id,
        "UserId": user["UserId"],
        "Type": "User",
        "AccessKeyId": key,
        "UserName": name,
    }
    assert isinstance(answer["PolicyVersion"], int)
    matched = answer["Explanation"]["matched_statements"]
    assert [m["effect"] for m in matched] == ["Allow"]
    assert "Reason" not in answer


def test_user_without_permission_is_denied_with_the_reason(server: Server, iam: Any) -> None:
    _, key, secret = _user(iam, _allow("invoices:ListInvoices"))
    answer = ask(server, _signed(key, secret))
    assert answer["Authenticated"] is True
    assert (answer["Decision"], answer["Outcome"]) == ("Deny", "implicitDeny")
    assert answer["Reason"].endswith(
        f"is not authorized to perform: {GET_INVOICE} on resource: {INVOICE_42} "
        f"because no identity-based policy allows the {GET_INVOICE} action"
    )
    # The details, sealed, for the service to pass on: an administrator decodes them with STS.
    decoded = server.client("sts").decode_authorization_message(
        EncodedMessage=answer["EncodedAuthorizationMessage"]
    )
    details = json.loads(decoded["DecodedMessage"])
    assert details["allowed"] is False and details["explicitDeny"] is False
    assert (details["context"]["action"], details["context"]["resource"]) == (
        GET_INVOICE,
        INVOICE_42,
    )


def test_explicit_deny_on_the_forwarded_source_ip(server: Server, iam: Any) -> None:
    policy = _allow("invoices:*")
    policy["Statement"].append(
        {
            "Effect": "Deny",
            "Action": "invoices:*",
            "Resource": "*",
            "Condition": {"NotIpAddress": {"aws:SourceIp": "192.168.0.0/16"}},
        }
    )
    _, key, secret = _user(iam, policy)
    outside = ask(server, _signed(key, secret))  # forwarded from 10.1.2.3
    assert outside["Outcome"] == "explicitDeny"
    assert outside["Reason"].endswith("with an explicit deny in an identity-based policy")
    inside = ask(server, {**_signed(key, secret), "SourceIp": "192.168.7.7"})
    assert inside["Decision"] == "Allow"


def test_principal_tags_and_username_decide(server: Server, iam: Any) -> None:
    abac = _allow(
        "invoices:GetInvoice",
        "arn:stockade:invoices:::team/${aws:PrincipalTag/team}/*",
    )
    _, key, secret = _user(iam, abac, team="finance")
    finance = "arn:stockade:invoices:::team/finance/invoice-1"
    sales = "arn:stockade:invoices:::team/sales/invoice-1"
    assert ask(server, _signed(key, secret), resource=finance)["Decision"] == "Allow"
    denied = ask(server, _signed(key, secret), resource=sales)
    assert denied["Decision"] == "Deny"
    assert ask(server, _signed(key, secret), resource=finance)["Principal"]["Tags"] == {
        "team": "finance"
    }

    own = _allow("invoices:GetProfile", "arn:stockade:invoices:::profile/${aws:username}")
    name, key, secret = _user(iam, own)
    mine = f"arn:stockade:invoices:::profile/{name}"
    assert ask(server, _signed(key, secret), action="invoices:GetProfile", resource=mine)[
        "Decision"
    ] == ("Allow")
    theirs = "arn:stockade:invoices:::profile/someone-else"
    other = ask(server, _signed(key, secret), action="invoices:GetProfile", resource=theirs)
    assert other["Decision"] == "Deny"


def test_service_context_keys_and_missing_ones(server: Server, iam: Any) -> None:
    policy = _allow(
        "invoices:PayInvoice", "*", {"NumericLessThanEquals": {"invoices:Amount": "100"}}
    )
    _, key, secret = _user(iam, policy)
    forwarded = _signed(key, secret, method="POST", body=b'{"amount": 80}')
    small = ask(server, forwarded, action="invoices:PayInvoice", Context={"invoices:Amount": "80"})
    assert small["Decision"] == "Allow"
    large = ask(server, forwarded, action="invoices:PayInvoice", Context={"invoices:Amount": "500"})
    assert large["Decision"] == "Deny"
    unknown = ask(server, forwarded, action="invoices:PayInvoice")
    assert unknown["Decision"] == "Deny"
    assert unknown["Explanation"]["missing_context_values"] == ["invoices:Amount"]


def test_policy_version_moves_with_the_policies(server: Server, iam: Any) -> None:
    name, key, secret = _user(iam)
    before = ask(server, _signed(key, secret))
    assert before["Decision"] == "Deny"
    iam.put_user_policy(UserName=name, PolicyName="q", PolicyDocument=json.dumps(_allow("*")))
    after = ask(server, _signed(key, secret))
    assert after["Decision"] == "Allow"
    assert after["PolicyVersion"] > before["PolicyVersion"]


def test_forwarded_key_use_is_recorded_for_its_service(server: Server, iam: Any) -> None:
    _, key, secret = _user(iam)
    ask(server, _signed(key, secret))
    last = iam.get_access_key_last_used(AccessKeyId=key)["AccessKeyLastUsed"]
    assert last["ServiceName"] == "invoices"


def _session(server: Server, key: str, secret: str) -> dict[str, str]:
    sts = server.client("sts", key, secret)
    return dict(sts.get_session_token(DurationSeconds=900)["Credentials"])


def test_temporary_credentials_of_a_user(server: Server, iam: Any) -> None:
    policy = _allow("invoices:*")
    policy["Statement"].append(
        {
            "Effect": "Deny",
            "Action": "invoices:PayInvoice",
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        }
    )
    name, key, secret = _user(iam, policy)
    session = _session(server, key, secret)
    assert session["AccessKeyId"].startswith("ASIA")
    forwarded = _signed(
        session["AccessKeyId"], session["SecretAccessKey"], token=session["SessionToken"]
    )
    answer = ask(server, forwarded)
    assert answer["Decision"] == "Allow"
    assert answer["Principal"]["Arn"] == iam.get_user(UserName=name)["User"]["Arn"]
    assert answer["Principal"]["AccessKeyId"] == session["AccessKeyId"]
    assert answer["SignatureValidUntil"] <= int(session["Expiration"].timestamp())
    # A session made without MFA carries aws:MultiFactorAuthPresent=false.
    pay = ask(server, forwarded, action="invoices:PayInvoice")
    assert (pay["Decision"], pay["Outcome"]) == ("Deny", "explicitDeny")

    without_token = _signed(session["AccessKeyId"], session["SecretAccessKey"])
    assert _refusal(ask(server, without_token))[0] == "InvalidClientTokenId"
    token = session["SessionToken"]
    tampered = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    forged = _signed(session["AccessKeyId"], session["SecretAccessKey"], token=tampered)
    assert _refusal(ask(server, forged))[0] == "InvalidClientTokenId"


def test_role_sessions_are_decided_as_the_role(server: Server, iam: Any) -> None:
    name, key, secret = _user(iam, _allow("sts:AssumeRole"))
    user_arn = iam.get_user(UserName=name)["User"]["Arn"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "sts:AssumeRole"}
        ],
    }
    role_name = unique("invoice-reader")
    role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    iam.put_role_policy(
        RoleName=role_name,
        PolicyName="read",
        PolicyDocument=json.dumps(_allow("invoices:GetInvoice")),
    )
    sts = server.client("sts", key, secret)
    assumed = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="batch-job")["Credentials"]
    forwarded = _signed(
        assumed["AccessKeyId"], assumed["SecretAccessKey"], token=assumed["SessionToken"]
    )
    answer = ask(server, forwarded)
    assert answer["Decision"] == "Allow"
    principal = answer["Principal"]
    assert principal["Arn"] == (
        f"arn:aws:sts::{server.account_id}:assumed-role/{role_name}/batch-job"
    )
    assert principal["Type"] == "AssumedRole"
    assert principal["RoleArn"] == role["Arn"]
    assert principal["UserId"] == f"{role['RoleId']}:batch-job"
    # The user itself may not GetInvoice; the role may not ListInvoices.
    assert ask(server, _signed(key, secret))["Decision"] == "Deny"
    assert ask(server, forwarded, action="invoices:ListInvoices")["Decision"] == "Deny"


def _refusal(answer: dict[str, Any]) -> tuple[str, str]:
    assert answer["Authenticated"] is False
    assert answer["Decision"] == "Deny"
    assert "Principal" not in answer
    return answer["Error"]["Code"], answer["Error"]["Message"]


def test_forwarded_requests_that_do_not_authenticate(server: Server, iam: Any) -> None:
    _, key, secret = _user(iam, _allow("*"))
    assert _refusal(ask(server, _unsigned()))[0] == "MissingAuthenticationToken"

    wrong_secret = ask(server, _signed(key, "x" * 40))
    assert _refusal(wrong_secret)[0] == "SignatureDoesNotMatch"

    tampered = _signed(key, secret, method="POST", body=b'{"amount": 1}')
    tampered["Body"] = base64.b64encode(b'{"amount": 1000}').decode()
    assert _refusal(ask(server, tampered))[0] == "SignatureDoesNotMatch"

    other_path = {**_signed(key, secret), "Path": "/invoices/43"}
    assert _refusal(ask(server, other_path))[0] == "SignatureDoesNotMatch"

    old = _signed(key, secret, at=datetime.now(UTC) - timedelta(minutes=20))
    code, message = _refusal(ask(server, old))
    assert code == "SignatureDoesNotMatch"
    assert message.startswith("Signature expired")

    unknown = _signed("AKIA" + "Z" * 16, secret)
    assert _refusal(ask(server, unknown)) == (
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
    )

    for_iam = _signed(key, secret, service="iam")
    code, message = _refusal(ask(server, for_iam, Service="invoices"))
    assert (code, message) == (
        "SignatureDoesNotMatch",
        "Credential should be scoped to correct service: 'invoices'.",
    )
    assert ask(server, _signed(key, secret), Service="invoices")["Decision"] == "Allow"


def test_payload_hash_stands_in_for_the_body(server: Server, iam: Any) -> None:
    _, key, secret = _user(iam, _allow("*"))
    body = b'{"amount": 12}'
    forwarded = _signed(key, secret, method="POST", body=body)
    del forwarded["Body"]
    forwarded["PayloadHash"] = hashlib.sha256(body).hexdigest()
    assert ask(server, forwarded)["Decision"] == "Allow"
    forwarded["PayloadHash"] = hashlib.sha256(b"something else").hexdigest()
    assert _refusal(ask(server, forwarded))[0] == "SignatureDoesNotMatch"


def test_deactivated_key_no_longer_authenticates(server: Server, iam: Any) -> None:
    name, key, secret = _user(iam, _allow("*"))
    iam.update_access_key(UserName=name, AccessKeyId=key, Status="Inactive")
    assert _refusal(ask(server, _signed(key, secret)))[0] == "InvalidClientTokenId"


def test_the_service_needs_stockade_authorize(server: Server, iam: Any) -> None:
    _, client_key, client_secret = _user(iam, _allow("*"))
    question = {"Request": _signed(client_key, client_secret), "Action": GET_INVOICE}
    question["Resource"] = INVOICE_42

    _, key, secret = _user(iam, _allow("iam:*"))
    status, error = call(server, question, key=key, secret=secret)
    assert status == 403
    assert error["__type"] == "AccessDeniedException"
    assert "is not authorized to perform: stockade:Authorize on resource: *" in error["message"]

    narrowed = _allow(
        "stockade:Authorize", "*", {"StringEquals": {"stockade:RequestedService": "invoices"}}
    )
    _, key, secret = _user(iam, narrowed)
    status, answer = call(server, question, key=key, secret=secret)
    assert (status, answer["Decision"]) == (200, "Allow")
    payroll = {**question, "Action": "payroll:GetPayslip"}
    status, error = call(server, payroll, key=key, secret=secret)
    assert (status, error["__type"]) == (403, "AccessDeniedException")


def test_errors_of_the_call_itself(server: Server) -> None:
    question = {"Request": _unsigned(), "Action": GET_INVOICE, "Resource": INVOICE_42}
    status, error = call(server, question, secret="x" * 40)
    assert (status, error["__type"]) == (403, "InvalidSignatureException")

    status, error = call(server, question, scope="iam")
    assert (status, error["__type"]) == (403, "InvalidSignatureException")
    assert error["message"] == "Credential should be scoped to correct service: 'stockade'."

    unsigned = httpx.post(
        server.endpoint + "/",
        content=json.dumps(question).encode(),
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "Stockade.Authorize",
        },
    )
    assert unsigned.status_code == 403
    assert unsigned.json()["__type"] == "MissingAuthenticationTokenException"

    status, error = call(server, b"{not json")
    assert (status, error["__type"]) == (400, "SerializationException")

    status, error = call(server, question, target="Stockade.Reticulate")
    assert (status, error["__type"]) == (400, "UnknownOperationException")

    status, error = call(server, {"Request": _unsigned(), "Resource": INVOICE_42})
    assert (status, error["__type"]) == (400, "ValidationException")
    assert "'action'" in error["message"]

    spoofed = {**question, "Context": {"aws:PrincipalTag/team": "finance"}}
    status, error = call(server, spoofed)
    assert (status, error["__type"]) == (400, "ValidationException")
    assert "aws:" in error["message"]

    status, error = call(server, {**question, "Action": "not an action"})
    assert (status, error["__type"]) == (400, "ValidationException")

    bad_body = {**question, "Request": {**_unsigned(), "Body": "***"}}
    status, error = call(server, bad_body)
    assert (status, error["__type"]) == (400, "ValidationException")
    assert "base64" in error["message"]


@pytest.mark.parametrize("headers", [["Host"], 7, {"Bad Name": "x"}])
def test_malformed_forwarded_headers(server: Server, headers: Any) -> None:
    forwarded = {**_unsigned(), "Headers": headers}
    question = {"Request": forwarded, "Action": GET_INVOICE, "Resource": INVOICE_42}
    status, error = call(server, question)
    assert (status, error["__type"]) == (400, "ValidationException")
