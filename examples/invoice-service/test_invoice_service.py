"""End to end: a real `stockade serve`, users and policies made with boto3, the invoice service
under uvicorn in its own process, and clients signing with botocore's SigV4Auth (signing name
`invoices`), as any AWS SDK signs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.api.conftest import Server, start_server, stop_server

HERE = Path(__file__).parent
INVOICES = "arn:stockade:invoices:::invoice/*"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _user(iam: Any, name: str, policy: str | None) -> Credentials:
    iam.create_user(UserName=name)
    if policy is not None:
        iam.put_user_policy(UserName=name, PolicyName="invoices", PolicyDocument=policy)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return Credentials(key["AccessKeyId"], key["SecretAccessKey"])


@pytest.fixture(scope="module")
def stockade(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(tmp_path_factory.mktemp("stockade"))
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def iam(stockade: Server) -> Any:
    return stockade.client("iam")


@pytest.fixture(scope="module")
def invoice_service(stockade: Server, iam: Any) -> Iterator[str]:
    service = _user(
        iam,
        "invoice-service",
        _policy(
            {
                "Effect": "Allow",
                "Action": "stockade:Authorize",
                "Resource": "*",
                "Condition": {"StringEquals": {"stockade:RequestedService": "invoices"}},
            }
        ),
    )
    port = _free_port()
    env = {
        **os.environ,
        "STOCKADE_ENDPOINT": stockade.endpoint,
        "INVOICES_ACCESS_KEY_ID": service.access_key,
        "INVOICES_SECRET_ACCESS_KEY": service.secret_key,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app:create_app",
            "--factory",
            "--app-dir",
            str(HERE),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(url + "/health").status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            output = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"the invoice service did not start: {output}")
        time.sleep(0.1)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def alice(iam: Any) -> Credentials:
    """Reads every invoice; pays up to 100."""
    return _user(
        iam,
        "alice",
        _policy(
            {
                "Effect": "Allow",
                "Action": ["invoices:GetInvoice", "invoices:ListInvoices"],
                "Resource": INVOICES,
            },
            {
                "Effect": "Allow",
                "Action": "invoices:PayInvoice",
                "Resource": INVOICES,
                "Condition": {"NumericLessThanEquals": {"invoices:Amount": "100"}},
            },
        ),
    )


@pytest.fixture(scope="module")
def bob(iam: Any) -> Credentials:
    """Has keys, but no permission on invoices."""
    return _user(iam, "bob", _policy({"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}))


def send(
    url: str,
    credentials: Credentials | None,
    *,
    method: str = "GET",
    body: bytes = b"",
    service: str = "invoices",
    sent_body: bytes | None = None,
) -> httpx.Response:
    """A request signed by `credentials` (unsigned if None); `sent_body` replaces the body after
    signing, as a tampering proxy would."""
    request = AWSRequest(method, url, data=body, headers={"Content-Type": "application/json"})
    if credentials is not None:
        SigV4Auth(credentials, service, "us-east-1").add_auth(request)
    prepared = request.prepare()
    content = body if sent_body is None else sent_body
    return httpx.request(
        method, prepared.url, headers=dict(prepared.headers.items()), content=content
    )


def test_allowed_user_gets_the_invoice(invoice_service: str, alice: Credentials) -> None:
    reply = send(f"{invoice_service}/invoices/42", alice)
    assert reply.status_code == 200
    assert reply.json()["invoice"]["customer"] == "Acme"
    assert reply.json()["caller"].endswith(":user/alice")
    listing = send(f"{invoice_service}/invoices", alice)
    assert [i["id"] for i in listing.json()["invoices"]] == ["42", "43"]


def test_user_without_permission_is_refused_with_the_reason(
    invoice_service: str, bob: Credentials
) -> None:
    reply = send(f"{invoice_service}/invoices/42", bob)
    assert reply.status_code == 403
    assert reply.json() == {
        "error": "AccessDenied",
        "message": "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: "
        "invoices:GetInvoice on resource: arn:stockade:invoices:::invoice/42 because no "
        "identity-based policy allows the invoices:GetInvoice action",
        "decision": "implicitDeny",
    }


def test_the_service_context_limits_payments(invoice_service: str, alice: Credentials) -> None:
    small = send(f"{invoice_service}/invoices/42/pay", alice, method="POST", body=b'{"by": "card"}')
    assert small.status_code == 200
    assert small.json()["payment"] == {"by": "card"}
    large = send(f"{invoice_service}/invoices/43/pay", alice, method="POST", body=b"{}")
    assert large.status_code == 403
    assert (
        "invoices:PayInvoice on resource: arn:stockade:invoices:::invoice/43"
        in (large.json()["message"])
    )


def test_unsigned_and_badly_signed_requests_are_401(
    invoice_service: str, alice: Credentials
) -> None:
    unsigned = send(f"{invoice_service}/invoices/42", None)
    assert unsigned.status_code == 401
    assert unsigned.json()["error"] == "MissingAuthenticationToken"
    assert unsigned.headers["www-authenticate"] == "AWS4-HMAC-SHA256"

    wrong_secret = Credentials(alice.access_key, "x" * 40)
    forged = send(f"{invoice_service}/invoices/42", wrong_secret)
    assert forged.status_code == 401
    assert forged.json()["error"] == "SignatureDoesNotMatch"

    tampered = send(
        f"{invoice_service}/invoices/42/pay",
        alice,
        method="POST",
        body=b'{"by": "card"}',
        sent_body=b'{"by": "cash"}',
    )
    assert tampered.status_code == 401
    assert tampered.json()["error"] == "SignatureDoesNotMatch"

    other_service = send(f"{invoice_service}/invoices/42", alice, service="payroll")
    assert other_service.status_code == 401
    assert other_service.json()["message"] == (
        "Credential should be scoped to correct service: 'invoices'."
    )

    unknown = Credentials("AKIA" + "Q" * 16, alice.secret_key)
    assert send(f"{invoice_service}/invoices/42", unknown).json()["error"] == (
        "InvalidClientTokenId"
    )


def test_public_route_needs_no_signature(invoice_service: str) -> None:
    assert httpx.get(f"{invoice_service}/health").json() == {"status": "ok"}


def test_a_policy_change_applies_to_the_next_request(
    invoice_service: str, iam: Any, stockade: Server
) -> None:
    carol = _user(
        iam,
        "carol",
        _policy({"Effect": "Allow", "Action": "invoices:GetInvoice", "Resource": INVOICES}),
    )
    request = AWSRequest("GET", f"{invoice_service}/invoices/42")
    SigV4Auth(carol, "invoices", "us-east-1").add_auth(request)
    signed = request.prepare()

    def replay() -> int:
        return httpx.get(signed.url, headers=dict(signed.headers.items())).status_code

    assert replay() == 200
    assert replay() == 200  # the same signed request again: the service's cache may answer
    iam.delete_user_policy(UserName="carol", PolicyName="invoices")
    # A new request is verified and decided by Stockade under the new policy version...
    assert send(f"{invoice_service}/invoices/42?fresh=1", carol).status_code == 403
    # ...which also retires what the cache held for the account under the old one.
    assert replay() == 403
