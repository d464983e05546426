"""`stockade.integrations` against a real `stockade serve`: what the decision cache may answer
(only a replay of a request Stockade verified) and what it may not (anything else signed with
the same key, a tampered body, another question), failing closed, and the ASGI middleware's
per-route declarations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from stockade.integrations import (
    Authorizer,
    ClientRequest,
    DecisionCache,
    Permission,
    StockadeMiddleware,
    Verdict,
    authorize_request,
    public,
    requires,
)
from tests.api.conftest import Server, start_server, stop_server

HOST = "svc.internal"
READ = Permission("svc:Read", "arn:stockade:svc:::thing/1")


def _policy(action: str) -> str:
    statement = {"Effect": "Allow", "Action": action, "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _user(iam: Any, name: str, action: str | None) -> Credentials:
    iam.create_user(UserName=name)
    if action is not None:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=_policy(action))
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
def service_keys(iam: Any) -> Credentials:
    return _user(iam, "svc-service", "stockade:Authorize")


@pytest.fixture(scope="module")
def reader(iam: Any) -> Credentials:
    return _user(iam, "reader", "svc:Read")


@pytest.fixture
def authorizer(stockade: Server, service_keys: Credentials) -> Iterator[Authorizer]:
    made = Authorizer(
        stockade.endpoint,
        service="svc",
        access_key_id=service_keys.access_key,
        secret_access_key=service_keys.secret_key,
        cache=DecisionCache(ttl=60),  # long enough that no entry ends during a test
    )
    yield made
    made.close()


def signed(credentials: Credentials, *, method: str = "GET", body: bytes = b"") -> ClientRequest:
    request = AWSRequest(method, f"https://{HOST}/things/1", data=body)
    SigV4Auth(credentials, "svc", "us-east-1").add_auth(request)
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers["host"] = HOST
    return ClientRequest(method, "/things/1", "", headers, body, "10.0.0.1", True)


def test_a_replay_of_a_verified_request_is_answered_from_the_cache(
    authorizer: Authorizer, reader: Credentials
) -> None:
    request = signed(reader)
    first = authorizer.check(request, READ)
    assert (first.status, first.cached) == (200, False)
    assert first.principal_arn is not None and first.principal_arn.endswith(":user/reader")
    again = authorizer.check(request, READ)
    assert (again.status, again.cached) == (200, True)
    assert again.principal == first.principal


def test_nothing_but_an_identical_request_hits_the_cache(
    authorizer: Authorizer, reader: Credentials
) -> None:
    original = signed(reader, method="POST", body=b"pay 10")
    assert authorizer.check(original, READ).status == 200

    # The signature copied onto another body: Stockade is asked, and refuses it.
    tampered = ClientRequest(**{**_fields(original), "body": b"pay 1000"})
    verdict = authorizer.check(tampered, READ)
    assert (verdict.status, verdict.code, verdict.cached) == (401, "SignatureDoesNotMatch", False)

    # The access key id alone proves nothing: a forged signature under it is refused.
    headers = dict(original.headers)
    headers["authorization"] = headers["authorization"][:-8] + "00000000"
    forged = ClientRequest(**{**_fields(original), "headers": headers})
    assert authorizer.check(forged, READ).status == 401

    # The same request, another question or another client address: asked afresh.
    other = authorizer.check(original, Permission("svc:Delete", "arn:stockade:svc:::thing/1"))
    assert (other.status, other.cached) == (403, False)
    moved = ClientRequest(**{**_fields(original), "source_ip": "10.9.9.9"})
    assert authorizer.check(moved, READ).cached is False


def test_refusals_of_authentication_are_not_remembered(authorizer: Authorizer) -> None:
    unsigned = ClientRequest("GET", "/things/1", "", {"host": HOST})
    first = authorizer.check(unsigned, READ)
    assert (first.status, first.code) == (401, "MissingAuthenticationToken")
    assert authorizer.check(unsigned, READ).cached is False


def test_denial_carries_the_reason(iam: Any, authorizer: Authorizer) -> None:
    nobody = _user(iam, "nobody", None)
    verdict = authorizer.check(signed(nobody), READ)
    assert verdict.status == 403
    assert verdict.outcome == "implicitDeny"
    assert verdict.error_body() == {
        "error": "AccessDenied",
        "message": "User: arn:aws:iam::123456789012:user/nobody is not authorized to perform: "
        "svc:Read on resource: arn:stockade:svc:::thing/1 because no identity-based policy "
        "allows the svc:Read action",
        "decision": "implicitDeny",
    }


def test_plain_function_for_other_frameworks(authorizer: Authorizer, reader: Credentials) -> None:
    request = signed(reader)
    verdict = authorize_request(
        authorizer,
        method="get",
        path=request.path,
        query_string="",
        headers=[(name.title(), value) for name, value in request.headers.items()],
        source_ip="10.0.0.1",
        secure=True,
        action="svc:Read",
        resource="arn:stockade:svc:::thing/1",
    )
    assert verdict.status == 200


def test_a_service_and_its_clients_on_temporary_credentials(
    stockade: Server, service_keys: Credentials, reader: Credentials
) -> None:
    def session(keys: Credentials) -> Credentials:
        sts = stockade.client("sts", keys.access_key, keys.secret_key)
        made = sts.get_session_token(DurationSeconds=900)["Credentials"]
        return Credentials(made["AccessKeyId"], made["SecretAccessKey"], made["SessionToken"])

    service = session(service_keys)
    authorizer = Authorizer(
        stockade.endpoint,
        service="svc",
        access_key_id=service.access_key,
        secret_access_key=service.secret_key,
        session_token=service.token,
    )
    client = session(reader)
    verdict = authorizer.check(signed(client), READ)
    assert verdict.status == 200
    assert verdict.principal is not None
    assert verdict.principal["AccessKeyId"] == client.access_key
    assert verdict.principal_arn is not None and verdict.principal_arn.endswith(":user/reader")
    authorizer.close()


def test_fails_closed(
    stockade: Server, iam: Any, reader: Credentials, service_keys: Credentials
) -> None:
    unreachable = Authorizer(
        "http://127.0.0.1:9",
        service="svc",
        access_key_id=service_keys.access_key,
        secret_access_key=service_keys.secret_key,
    )
    verdict = unreachable.check(signed(reader), READ)
    assert (verdict.status, verdict.code) == (503, "AuthorizationUnavailable")

    unpermitted = _user(iam, "not-a-service", "svc:Read")
    refused = Authorizer(
        stockade.endpoint,
        service="svc",
        access_key_id=unpermitted.access_key,
        secret_access_key=unpermitted.secret_key,
    )
    verdict = refused.check(signed(reader), READ)
    assert verdict.status == 503
    assert "AccessDeniedException" in verdict.message


def test_cache_keeps_only_the_newest_policy_version() -> None:
    cache = DecisionCache(ttl=60)
    principal = {"Arn": "arn:aws:iam::111122223333:user/a", "AccountId": "111122223333"}

    def verdict(version: int) -> Verdict:
        return Verdict(200, "Allowed", "allowed", principal, version, "allowed", None, True)

    far = 4_000_000_000.0  # a signature valid long after this test
    cache.put(b"old", verdict(7), far)
    assert cache.get(b"old") is not None
    cache.put(b"new", verdict(8), far)  # any answer showing a newer version of the account
    assert cache.get(b"old") is None
    assert cache.get(b"new") is not None
    cache.put(b"late", verdict(7), far)  # decided before the change, answered after it
    assert cache.get(b"late") is None

    cache.put(b"expired", verdict(8), 1.0)  # the signature's validity already over
    assert cache.get(b"expired") is None
    uncached = DecisionCache(ttl=0)
    uncached.put(b"any", verdict(8), far)
    assert uncached.get(b"any") is None


def _fields(request: ClientRequest) -> dict[str, Any]:
    return {
        "method": request.method,
        "path": request.path,
        "query_string": request.query_string,
        "headers": request.headers,
        "body": request.body,
        "source_ip": request.source_ip,
        "secure": request.secure,
    }


# -- the middleware -------------------------------------------------------------------------


def _app(authorizer: Authorizer) -> Starlette:
    @requires("svc:Read", "arn:stockade:svc:::thing/{thing_id}")
    async def read(request: Request) -> JSONResponse:
        verdict = request.state.stockade
        return JSONResponse({"thing": request.path_params["thing_id"], "by": verdict.principal_arn})

    @requires("svc:Write", "arn:stockade:svc:::thing/{thing_id}")
    async def write(request: Request) -> JSONResponse:
        return JSONResponse({"body": (await request.body()).decode()})

    async def forgotten(request: Request) -> JSONResponse:
        return JSONResponse({"open": True})

    @public
    async def ping(request: Request) -> JSONResponse:
        return JSONResponse({"pong": True})

    return Starlette(
        routes=[
            Route("/things/{thing_id}", read),
            Route("/things/{thing_id}/write", write, methods=["POST"]),
            Route("/forgotten", forgotten),
            Route("/ping", ping),
        ],
        middleware=[Middleware(StockadeMiddleware, authorizer=authorizer)],
    )


async def _send(
    app: Starlette, credentials: Credentials | None, path: str, method: str = "GET"
) -> httpx.Response:
    url = f"http://{HOST}{path}"
    request = AWSRequest(method, url, data=b"hello" if method == "POST" else b"")
    if credentials is not None:
        SigV4Auth(credentials, "svc", "us-east-1").add_auth(request)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport) as client:
        return await client.request(
            method, url, headers=dict(request.headers.items()), content=request.body
        )


@pytest.mark.anyio
async def test_middleware_routes(authorizer: Authorizer, reader: Credentials, iam: Any) -> None:
    app = _app(authorizer)
    allowed = await _send(app, reader, "/things/1")
    assert allowed.status_code == 200
    assert allowed.json() == {"thing": "1", "by": "arn:aws:iam::123456789012:user/reader"}

    denied = await _send(app, reader, "/things/1/write", "POST")
    assert denied.status_code == 403
    assert "svc:Write on resource: arn:stockade:svc:::thing/1" in denied.json()["message"]

    writer = _user(iam, "writer", "svc:Write")
    written = await _send(app, writer, "/things/1/write", "POST")
    assert (written.status_code, written.json()) == (200, {"body": "hello"})

    assert (await _send(app, None, "/things/1")).status_code == 401
    forgotten = await _send(app, reader, "/forgotten")
    assert forgotten.status_code == 403
    assert forgotten.json()["message"] == "This route declares no permission."
    assert (await _send(app, None, "/ping")).json() == {"pong": True}
    assert (await _send(app, None, "/nowhere")).status_code == 404
    await authorizer.aclose()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
