"""What authentication costs: verifying a SigV4 signature beside signing it, and the ASGI
middleware's added latency when its decision cache answers.

1. SigV4, in process, no I/O. The request: a JSON POST to a team service
   (`https://invoices.internal/invoices/42/pay?currency=EUR`, 102-byte body, the headers an SDK
   sends), signed for the signing name `invoices`.
   - sign: botocore's `SigV4Auth.add_auth` on a fresh `AWSRequest` (built outside the timing):
     what every client pays per request.
   - verify: `stockade.auth.sigv4.read_signature` + `verify_signature` with the secret at hand,
     `datetime.now(UTC)` included: what Stockade pays per request once it holds the secret.
     The derived signing key is cached per (secret, day, region, service), as a server sees the
     same few. Each timed request has a signature of its own (one per second of X-Amz-Date).
   - verify+unseal: the same, plus opening the AES-GCM-sealed secret with `SecretBox` as the
     server does for every request (the database read is not counted).
   - temporary credentials: the same request signed with an `ASIA` key and its session token
     (a role session, as AssumeRole issues it, with two session tags): botocore signing it, and
     Stockade opening the token (AES-GCM, no lookup), checking its expiry and verifying.
   Ratio target: verify <= 1.5x sign.
2. Middleware cache hit: a Starlette app with four routes (the example invoice service's shape)
   called in process through its ASGI interface, with and without `StockadeMiddleware`; the
   middleware's decisions come from a real `stockade serve` (SQLite, started for the run), asked
   once, then answered by the cache for the identical signed request. Added latency = median
   (with) - median (without), calls alternating. Target: median <= 50 us.

One line per run at the end, machine-readable:
`auth us: sign X, verify Y (Zx), verify+unseal W (Vx); temporary sign S, verify T (Ux);
middleware hit +M (p99 +P)` (on one line).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from stockade.auth.secrets import SecretBox
from stockade.auth.session_tokens import (
    SessionClaims,
    SessionKind,
    TokenSealer,
    new_temporary_key_id,
)
from stockade.auth.sigv4 import read_signature, verify_signature
from stockade.integrations import Authorizer, DecisionCache, StockadeMiddleware, requires

PYTHON = sys.executable
URL = "https://invoices.internal/invoices/42/pay?currency=EUR"
BODY = json.dumps({"amount": "80.00", "method": "card", "reference": "x" * 48}).encode()
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def _request() -> AWSRequest:
    return AWSRequest(
        "POST",
        URL,
        data=BODY,
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux lang/python#3.11",
        },
    )


def _signed_at(
    moment: datetime, key_id: str, secret: str, token: str | None
) -> tuple[dict[str, str], str, str]:
    request = _request()
    with mock.patch("botocore.auth.get_current_datetime", return_value=moment):
        SigV4Auth(Credentials(key_id, secret, token), "invoices", "us-east-1").add_auth(request)
    parts = urlsplit(URL)
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers["host"] = parts.netloc
    return headers, parts.path, parts.query


def _median_us(samples: list[int]) -> float:
    return statistics.median(samples) / 1000


def _role_session(tokens: TokenSealer) -> tuple[str, str, str]:
    """Temporary credentials as AssumeRole issues them: a role session with two session tags."""
    now = int(time.time())
    key_id = new_temporary_key_id("123456789012")
    claims = SessionClaims(
        access_key_id=key_id,
        secret_access_key="tEmPoRaRy/K7MDENG/bPxRfiCYEXAMPLEKEY0000",
        account_id="123456789012",
        kind=SessionKind.ROLE,
        subject_id="AROAEXAMPLEROLEID0001",
        name="invoice-reader",
        session_name="batch-job",
        issued_at=now,
        expires_at=now + 3600,
        tags=(("team", "finance"), ("cost-center", "42")),
        issuer="AssumeRole",
    )
    return key_id, claims.secret_access_key, tokens.seal(claims)


def bench_sigv4(rounds: int) -> dict[str, float]:
    box = SecretBox.from_key(os.urandom(32))
    tokens = TokenSealer(box)
    sealed = box.seal(SECRET, KEY_ID)
    temp_id, temp_secret, token = _role_session(tokens)
    sign_long = SigV4Auth(Credentials(KEY_ID, SECRET), "invoices", "us-east-1")
    sign_temp = SigV4Auth(Credentials(temp_id, temp_secret, token), "invoices", "us-east-1")
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    # One signature per second of date: every verification below is of a different signature.
    moments = [start + timedelta(seconds=i % 600) for i in range(rounds)]
    long_signed = [_signed_at(m, KEY_ID, SECRET, None) for m in moments]
    temp_signed = [_signed_at(m, temp_id, temp_secret, token) for m in moments]
    fresh_long = [_request() for _ in range(rounds)]
    fresh_temp = [_request() for _ in range(rounds)]

    def verify(signed: tuple[dict[str, str], str, str], secret: str) -> None:
        headers, path, query = signed
        sig = read_signature("POST", query, headers)
        verify_signature(
            sig,
            method="POST",
            path=path,
            query_string=query,
            headers=headers,
            body=BODY,
            secret_access_key=secret,
            now=datetime.now(UTC),
        )

    def verify_long(i: int) -> None:
        verify(long_signed[i], SECRET)

    def verify_long_unsealed(i: int) -> None:
        # Another request than verify_long's this round: neither finds the other's data warm.
        verify(long_signed[(i + rounds // 2) % rounds], box.open(sealed, KEY_ID))

    def verify_temp(i: int) -> None:
        # What the server does for an ASIA key: open the token (no lookup), check its expiry,
        # verify with the secret it holds.
        headers = temp_signed[i][0]
        claims = tokens.open(headers["x-amz-security-token"], temp_id)
        if claims.expired(datetime.now(UTC)):
            raise SystemExit("the session expired during the run")
        verify(temp_signed[i], claims.secret_access_key)

    for i in range(min(rounds, 200)):  # warm-up, and a check that every signature verifies
        verify_long_unsealed(i)
        verify_temp(i)
    samples: dict[str, list[int]] = {name: [] for name in NAMES}
    tasks: list[tuple[list[int], Callable[[int], object]]] = [
        (samples["sign"], lambda i: sign_long.add_auth(fresh_long[i])),
        (samples["verify"], verify_long),
        (samples["unseal"], verify_long_unsealed),
        (samples["sign_temp"], lambda i: sign_temp.add_auth(fresh_temp[i])),
        (samples["verify_temp"], verify_temp),
    ]
    clock = time.perf_counter_ns
    gc.disable()
    for i in range(rounds):
        # Round-robin, in a rotating order: no kind always runs right after another, and the
        # machine's hiccups fall on all of them alike.
        for k in range(len(tasks)):
            timed, task = tasks[(i + k) % len(tasks)]
            t0 = clock()
            task(i)
            timed.append(clock() - t0)
    gc.enable()
    return {name: _median_us(timed) for name, timed in samples.items()}


NAMES = ("sign", "verify", "unseal", "sign_temp", "verify_temp")


# -- the middleware -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def stockade_server() -> Iterator[tuple[str, str, str]]:
    """`stockade init` + `stockade serve` on SQLite in a temporary directory: (url, key, secret)."""
    with tempfile.TemporaryDirectory() as tmp:
        password = Path(tmp, "password")
        password.write_text("correct horse battery staple 1!")
        storage = ["--data-dir", str(Path(tmp, "data"))]
        env = {**os.environ, "STOCKADE_FAST_PASSWORD_HASH": "1"}
        command = [PYTHON, "-m", "stockade", "init", *storage, "--account-id", "123456789012"]
        command += ["--root-email", "root@example.com", "--root-password-file", str(password)]
        command += ["--admin-user", "admin", "--json"]
        init = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        admin = json.loads(init.stdout)["AdminUser"]
        port = _free_port()
        process = subprocess.Popen(
            [PYTHON, "-m", "stockade", "serve", *storage, "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise SystemExit("stockade serve did not start") from None
                    time.sleep(0.1)
            yield f"http://127.0.0.1:{port}", admin["AccessKeyId"], admin["SecretAccessKey"]
        finally:
            process.terminate()
            process.wait(timeout=10)


def _service_app(middleware: list[Middleware]) -> Starlette:
    async def answer(request: Request) -> Response:
        return Response(b'{"ok": true}', media_type="application/json")

    routes = [
        Route("/health", answer),
        Route("/invoices", requires("invoices:ListInvoices", "arn:stockade:invoices:::*")(answer)),
        Route(
            "/invoices/{invoice_id}",
            requires("invoices:GetInvoice", "arn:stockade:invoices:::invoice/{invoice_id}")(answer),
        ),
        Route(
            "/invoices/{invoice_id}/pay",
            requires("invoices:PayInvoice", "arn:stockade:invoices:::invoice/{invoice_id}")(answer),
            methods=["POST"],
        ),
    ]
    return Starlette(routes=routes, middleware=middleware)


async def _call(app: Starlette, scope: dict[str, Any], body: bytes) -> int:
    status = 0
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if delivered:
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(dict(scope), receive, send)
    return status


def bench_middleware(rounds: int) -> dict[str, float]:
    with stockade_server() as (endpoint, key, secret):
        authorizer = Authorizer(
            endpoint,
            service="invoices",
            access_key_id=key,
            secret_access_key=secret,
            cache=DecisionCache(ttl=3600),  # no entry ends during the run
        )
        guarded = _service_app([Middleware(StockadeMiddleware, authorizer=authorizer)])
        bare = _service_app([])
        # The admin (AdministratorAccess) signs, as any client would, for `invoices`.
        request = AWSRequest("POST", URL, data=BODY, headers={"Content-Type": "application/json"})
        SigV4Auth(Credentials(key, secret), "invoices", "us-east-1").add_auth(request)
        parts = urlsplit(URL)
        headers = [(b"host", parts.netloc.encode())] + [
            (name.lower().encode(), value.encode()) for name, value in request.headers.items()
        ]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "https",
            "path": parts.path,
            "raw_path": parts.path.encode(),
            "root_path": "",
            "query_string": parts.query.encode(),
            "headers": headers,
            "client": ("10.0.0.7", 51000),
            "server": ("invoices.internal", 443),
        }

        async def run() -> dict[str, float]:
            first = await _call(guarded, scope, BODY)  # a miss: Stockade verifies and decides
            if first != 200 or len(authorizer.cache) != 1:
                raise SystemExit(f"the first call was not allowed and cached (HTTP {first})")
            for _ in range(500):
                await _call(guarded, scope, BODY)
                await _call(bare, scope, BODY)
            with_ns: list[int] = []
            without_ns: list[int] = []
            clock = time.perf_counter_ns
            gc.disable()
            for _ in range(rounds):
                t0 = clock()
                await _call(guarded, scope, BODY)
                t1 = clock()
                await _call(bare, scope, BODY)
                t2 = clock()
                with_ns.append(t1 - t0)
                without_ns.append(t2 - t1)
            gc.enable()
            await authorizer.aclose()
            with_ns.sort()
            without_ns.sort()
            p99 = int(len(with_ns) * 0.99)
            return {
                "with": _median_us(with_ns),
                "without": _median_us(without_ns),
                "added": _median_us(with_ns) - _median_us(without_ns),
                "added_p99": (with_ns[p99] - without_ns[p99]) / 1000,
            }

        return asyncio.run(run())


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20_000, help="timed SigV4 requests")
    parser.add_argument("--calls", type=int, default=20_000, help="timed middleware calls")
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()} on {platform.machine()}; {os.cpu_count()} CPUs")
    sig = bench_sigv4(args.rounds)
    mid = bench_middleware(args.calls)
    print(
        f"SigV4 median per request, long-term key: sign (botocore add_auth) {sig['sign']:.1f} us,"
        f" verify {sig['verify']:.1f} us, verify+unseal {sig['unseal']:.1f} us"
    )
    print(
        f"SigV4 median per request, temporary credentials: sign {sig['sign_temp']:.1f} us, "
        f"open token + verify {sig['verify_temp']:.1f} us"
    )
    print(f"middleware cache hit: app with {mid['with']:.1f} us, without {mid['without']:.1f} us")
    print(
        f"auth us: sign {sig['sign']:.1f}, verify {sig['verify']:.1f} "
        f"({sig['verify'] / sig['sign']:.2f}x), verify+unseal {sig['unseal']:.1f} "
        f"({sig['unseal'] / sig['sign']:.2f}x); temporary sign {sig['sign_temp']:.1f}, "
        f"verify {sig['verify_temp']:.1f} ({sig['verify_temp'] / sig['sign_temp']:.2f}x); "
        f"middleware hit +{mid['added']:.1f} (p99 +{mid['added_p99']:.1f})"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
