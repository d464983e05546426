"""IAM API throughput: `stockade serve` against `moto_server`, over HTTP, with signed requests.

Servers, all started by this script on free loopback ports, each with one process:

- stockade: `stockade init --admin-user admin --json`, then `stockade serve` (one uvicorn
  worker, as a user starts it), on SQLite and on PostgreSQL (a database made for the run on the
  server at 127.0.0.1:5432, dropped afterwards). Every request's SigV4 signature is verified and
  every call authorized by the policy engine (the admin user holds AdministratorAccess).
- moto: `moto_server` (moto's server mode: Flask on werkzeug's threaded server, state in memory).
  It verifies no signature and authorizes nothing. Measured next to each Stockade database, so
  each ratio compares figures taken minutes apart at most.
- ceiling: a trivial Starlette app on uvicorn, started exactly as `stockade serve` starts its
  app, answering every POST with a fixed XML body; a second variant reads the body and hops
  through the threadpool as Stockade's endpoint does: what no handler behind them can beat.

Each account holds 50 users (admin and user-00 .. user-48). Operations:

- GetUser: UserName cycles over the 49 users.
- ListUsers: the whole account (50 users, one page).
- CreateUser+DeleteUser: each connection creates a fresh user and then deletes it, in order;
  req/s counts both requests of a pair.
- SimulatePrincipalPolicy: the admin user as PolicySourceArn, one action each (cycling a few
  IAM, S3, EC2 and SQS actions), on `*`; only if the running Stockade serves the operation.
  moto has none, so its ratio is taken against moto's GetUser.

Load: wrk, driven by a Lua script that replays raw HTTP requests pre-signed by botocore's
SigV4Auth (as boto3 signs them) right before each measurement (signatures hold 15 minutes).
One connection per wrk thread (`-t C -c C`), so each connection sends its requests strictly in
order and waits for every answer: a closed loop of C clients, and CreateUser always reaches the
server before its DeleteUser. With two or more CPUs the server runs on the last CPU and wrk on
the first (`taskset`); PostgreSQL runs where the kernel puts it. Every (server, operation) gets
an untimed warm-up, then a timed run; wrk reports requests, p50 and p99 latency, socket errors
and statuses over 399 (printed on the row when there are any). Before timing, one request of
each pool is sent and its answer checked (status, and e.g. 50 members in ListUsers). CPU used
during the timed run is read from /proc (the server process, all CPUs) and from wrk's own
rusage, to show whether the load generator or the server is the bottleneck, and how much other
jobs took (`rest`); requests per CPU-second of the server is printed too, as it moves less than
req/s when other jobs share the machine.

The last line is machine-readable:
`API req/s sqlite: GetUser stockade X moto Y (Zx); ListUsers stockade X moto Y (Zx); ...;
postgres: ...; ceiling starlette X`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ACCOUNT_ID = "123456789012"
USERS = 50  # in each account, admin included
API_VERSION = "2010-05-08"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
SIMULATED_ACTIONS = (
    "iam:GetUser",
    "iam:CreateUser",
    "s3:GetObject",
    "s3:PutObject",
    "ec2:DescribeInstances",
    "sqs:SendMessage",
)
CEILING_BODY = (
    b'<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult><User>'
    b"<Path>/</Path><UserName>user-00</UserName><UserId>AIDAEXAMPLEEXAMPLE001</UserId>"
    b"<Arn>arn:aws:iam::123456789012:user/user-00</Arn>"
    b"<CreateDate>2026-01-01T00:00:00Z</CreateDate></User></GetUserResult>"
    b"<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId>"
    b"</ResponseMetadata></GetUserResponse>"
)

# One wrk thread per connection. Each thread replays its own file of raw requests in order,
# cycling. wrk calls request() once in the first thread before sending anything (to check that
# the request parses): that call must not use up a request, or a pair would lose its CreateUser.
WRK_SCRIPT = r"""
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

local requests, n, i, hold = {}, 0, 0, false

function init(args)
  local file = assert(io.open(args[1] .. "/pool-" .. tid .. ".bin", "rb"))
  local data = file:read("*a")
  file:close()
  local start = 1
  while true do
    local stop = string.find(data, "\0", start, true)
    if not stop then break end
    n = n + 1
    requests[n] = string.sub(data, start, stop - 1)
    start = stop + 1
  end
  hold = (tid == 1)
end

function request()
  if hold then
    hold = false
    return requests[1]
  end
  i = i + 1
  if i > n then i = 1 end
  return requests[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %.0f, "duration_us": %.0f, "p50_us": %.0f, "p99_us": %.0f, ' ..
    '"connect": %.0f, "read": %.0f, "write": %.0f, "status": %.0f, "timeout": %.0f}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


# -- the servers ---------------------------------------------------------------------------------
@dataclass
class Target:
    server: str  # stockade | moto | starlette | starlette+threadpool
    database: str  # sqlite | postgres | memory | -
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    access_key: str = "AKIAIOSFODNN7EXAMPLE"
    secret_key: str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            "iam",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            config=Config(retries={"max_attempts": 1}),
        )


@dataclass(frozen=True, slots=True)
class Cores:
    server: list[str]  # taskset prefix for servers ([] when not pinning)
    load: list[str]  # taskset prefix for wrk
    server_cpu: int | None
    load_cpu: int | None

    @classmethod
    def choose(cls, pin: bool) -> Cores:
        cpus = sorted(os.sched_getaffinity(0))
        if not pin or len(cpus) < 2 or shutil.which("taskset") is None:
            return cls([], [], None, None)
        server, load = cpus[-1], cpus[0]
        return cls(["taskset", "-c", str(server)], ["taskset", "-c", str(load)], server, load)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"server exited: {log.read_text()[-2000:]}") from None
            time.sleep(0.1)
    raise SystemExit(f"no server on port {port} after 60 s")


def spawn(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "STOCKADE_FAST_PASSWORD_HASH": "1"}
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)


def start_stockade(tmp: Path, database: str, url: str | None, cores: Cores) -> Target:
    password = tmp / "root-password"
    password.write_text("correct horse battery staple 1!")
    storage = ["--data-dir", str(tmp / "data")] + (["--database-url", url] if url else [])
    command = [PYTHON, "-m", "stockade", "init", *storage, "--account-id", ACCOUNT_ID]
    command += ["--root-email", "root@example.com", "--root-password-file", str(password)]
    init = subprocess.run(
        [*command, "--admin-user", "admin", "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "STOCKADE_FAST_PASSWORD_HASH": "1"},
        cwd=ROOT,
        timeout=120,
    )
    if init.returncode != 0:
        raise SystemExit(f"stockade init failed: {init.stderr}")
    admin = json.loads(init.stdout)["AdminUser"]
    port = free_port()
    log = tmp / "stockade.log"
    command = [*cores.server, PYTHON, "-m", "stockade", "serve", *storage, "--port", str(port)]
    process = spawn(command, log)
    wait_for_port(port, process, log)
    return Target(
        "stockade", database, port, process, log, admin["AccessKeyId"], admin["SecretAccessKey"]
    )


def start_moto(tmp: Path, cores: Cores) -> Target:
    port = free_port()
    log = tmp / "moto.log"
    moto_server = str(Path(PYTHON).with_name("moto_server"))
    process = spawn([*cores.server, moto_server, "-H", "127.0.0.1", "-p", str(port)], log)
    wait_for_port(port, process, log)
    return Target("moto", "memory", port, process, log)


def start_ceiling(tmp: Path, cores: Cores, threadpool: bool) -> Target:
    port = free_port()
    name = "starlette+threadpool" if threadpool else "starlette"
    log = tmp / f"{name}.log"
    command = [*cores.server, PYTHON, __file__, "--serve-ceiling", str(port)]
    process = spawn(command + (["--threadpool"] if threadpool else []), log)
    wait_for_port(port, process, log)
    return Target(name, "-", port, process, log)


def stop(target: Target) -> None:
    target.process.terminate()
    try:
        target.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        target.process.kill()
        target.process.wait()


@contextmanager
def running(start: Callable[..., Target], *args: Any) -> Iterator[Target]:
    target = start(*args)
    try:
        yield target
    finally:
        stop(target)


@contextmanager
def postgres_database() -> Iterator[str]:
    import psycopg

    name = f"stockade_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def serve_ceiling(port: int, threadpool: bool) -> None:
    """The ceiling: Starlette on uvicorn, started as `stockade serve` starts its app."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    def answer(body: bytes) -> bytes:
        return CEILING_BODY if body else b""

    async def fixed(request: Request) -> Response:
        return Response(CEILING_BODY, media_type="text/xml")

    async def hop(request: Request) -> Response:
        payload = await run_in_threadpool(answer, await request.body())
        return Response(payload, media_type="text/xml")

    app = Starlette(routes=[Route("/", hop if threadpool else fixed, methods=["GET", "POST"])])
    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


# -- accounts and signed requests ----------------------------------------------------------------
def seed(target: Target) -> None:
    """50 users in the account: admin (Stockade's init made it) and user-00 .. user-48."""
    iam = target.client()
    if target.server == "moto":
        iam.create_user(UserName="admin")
    for n in range(USERS - 1):
        iam.create_user(UserName=f"user-{n:02d}")
    count = len(iam.list_users()["Users"])
    if count != USERS:
        raise SystemExit(f"{target.server}: {count} users after seeding, not {USERS}")


def remove_bench_users(target: Target) -> None:
    """Pairs cut short when wrk stops leave a user behind; later runs must see 50."""
    time.sleep(0.5)
    iam = target.client()
    for user in iam.list_users(MaxItems=1000)["Users"]:
        if user["UserName"].startswith("bench-"):
            iam.delete_user(UserName=user["UserName"])


class Signer:
    """Raw HTTP/1.1 requests, signed as boto3 signs them (botocore's SigV4Auth)."""

    def __init__(self, target: Target) -> None:
        from botocore.auth import SigV4Auth
        from botocore.credentials import Credentials

        self.host = f"127.0.0.1:{target.port}"
        self.url = f"{target.endpoint}/"
        credentials = Credentials(target.access_key, target.secret_key)
        self.auth = SigV4Auth(credentials, "iam", "us-east-1")

    def sign(self, params: dict[str, str]) -> bytes:
        from botocore.awsrequest import AWSRequest

        action = params.pop("Action")
        body = urlencode({"Action": action, "Version": API_VERSION, **params})
        request = AWSRequest(method="POST", url=self.url, data=body, headers={"Content-Type": FORM})
        self.auth.add_auth(request)
        lines = ["POST / HTTP/1.1", f"Host: {self.host}"]
        lines += [f"{name}: {value}" for name, value in request.headers.items()]
        lines += [f"Content-Length: {len(body)}", "", body]
        return "\r\n".join(lines).encode()


Params = Callable[[int, int], list[dict[str, str]]]  # (connection, position) -> requests


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    params: Params  # the requests at one position of a connection's sequence
    check: Callable[[list[tuple[int, bytes]]], str | None]  # answers -> problem, if any


def _get_user(connection: int, k: int) -> list[dict[str, str]]:
    return [{"Action": "GetUser", "UserName": f"user-{(connection * 7 + k) % (USERS - 1):02d}"}]


def _list_users(connection: int, k: int) -> list[dict[str, str]]:
    return [{"Action": "ListUsers"}]


def _pairs(tag: str) -> Params:
    def params(connection: int, k: int) -> list[dict[str, str]]:
        name = f"bench-{tag}-{connection}-{k}"
        return [
            {"Action": "CreateUser", "UserName": name},
            {"Action": "DeleteUser", "UserName": name},
        ]

    return params


def _simulate(connection: int, k: int) -> list[dict[str, str]]:
    action = SIMULATED_ACTIONS[(connection + k) % len(SIMULATED_ACTIONS)]
    return [
        {
            "Action": "SimulatePrincipalPolicy",
            "PolicySourceArn": f"arn:aws:iam::{ACCOUNT_ID}:user/admin",
            "ActionNames.member.1": action,
        }
    ]


def _expect(
    *needles: bytes, members: int | None = None
) -> Callable[[list[tuple[int, bytes]]], str | None]:
    def check(answers: list[tuple[int, bytes]]) -> str | None:
        for status, body in answers:
            if status != 200:
                return f"status {status}: {body[:300]!r}"
        body = answers[0][1]
        for needle in needles:
            if needle not in body:
                return f"{needle!r} missing from {body[:300]!r}"
        if members is not None and body.count(b"<member>") != members:
            return f"{body.count(b'<member>')} members, expected {members}"
        return None

    return check


def operations(tag: str) -> dict[str, Operation]:
    return {
        "GetUser": Operation("GetUser", _get_user, _expect(b"<UserName>user-")),
        "ListUsers": Operation("ListUsers", _list_users, _expect(members=USERS)),
        "CreateUser+DeleteUser": Operation(
            "CreateUser+DeleteUser", _pairs(tag), _expect(b"<UserName>bench-")
        ),
        "SimulatePrincipalPolicy": Operation(
            "SimulatePrincipalPolicy", _simulate, _expect(b"<EvalDecision>allowed</EvalDecision>")
        ),
    }


def send(port: int, raw: bytes) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(raw)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, response.read()


def serves_simulate(target: Target) -> bool:
    """Whether this Stockade answers SimulatePrincipalPolicy (it is being added as this runs)."""
    status, body = send(target.port, Signer(target).sign(_simulate(0, 0)[0]))
    return status == 200 or b"NotImplemented" not in body


def write_pool(directory: Path, target: Target, params: Params, connections: int, per: int) -> None:
    """One file per connection: its raw signed requests, in order, NUL-separated."""
    signer = Signer(target)
    directory.mkdir(parents=True, exist_ok=True)
    for connection in range(connections):
        with (directory / f"pool-{connection + 1}.bin").open("wb") as out:
            for k in range(per):
                for request in params(connection, k):
                    out.write(signer.sign(request) + b"\0")


# -- wrk and the CPU it and the server use -------------------------------------------------------
def cpu_ticks() -> dict[str, tuple[int, int]]:
    """Per CPU (and 'cpu' for all): (busy, total) jiffies from /proc/stat."""
    found: dict[str, tuple[int, int]] = {}
    for line in Path("/proc/stat").read_text().splitlines():
        if not line.startswith("cpu"):
            continue
        name, *fields = line.split()
        values = [int(v) for v in fields[:8]]
        idle = values[3] + values[4]
        found[name] = (sum(values) - idle, sum(values))
    return found


def process_ticks(pid: int) -> int:
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


@dataclass(frozen=True, slots=True)
class Run:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: dict[str, int]
    server_cpu: float  # share of one CPU used by the server process
    load_cpu: float  # share of one CPU used by wrk
    busy: dict[str, float]  # per CPU busy share, all processes

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def per_server_second(self) -> float:
        """Requests per CPU-second of the server: steadier than req/s when other jobs take CPU."""
        return self.requests / max(1e-9, self.server_cpu * self.seconds)

    @property
    def rest_cpu(self) -> float:
        """CPU used by everything but the server and wrk, in CPUs (PostgreSQL, other jobs)."""
        cpus = len([name for name in self.busy if name != "cpu"])
        return max(0.0, self.busy["cpu"] * cpus - self.server_cpu - self.load_cpu)


def run_wrk(
    target: Target, pool: Path, connections: int, seconds: float, cores: Cores, script: Path
) -> Run:
    command = [*cores.load, "wrk", "-t", str(connections), "-c", str(connections)]
    command += ["-d", f"{seconds:g}s", "--timeout", "30s", "-s", str(script)]
    command += [f"{target.endpoint}/", "--", str(pool)]
    hz = os.sysconf("SC_CLK_TCK")
    before_cpu, before_server = cpu_ticks(), process_ticks(target.process.pid)
    started = time.monotonic()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - started
        after_cpu, after_server = cpu_ticks(), process_ticks(target.process.pid)
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise SystemExit(f"wrk failed ({process.returncode}): {output}")
    match = re.search(r"^WRK (\{.*\})$", output, re.MULTILINE)
    if match is None:
        raise SystemExit(f"no result from wrk: {output}")
    result = json.loads(match.group(1))
    busy = {}
    for name, (busy_after, total_after) in after_cpu.items():
        busy_before, total_before = before_cpu[name]
        busy[name] = (busy_after - busy_before) / max(1, total_after - total_before)
    return Run(
        requests=int(result["requests"]),
        seconds=result["duration_us"] / 1e6,
        p50_ms=result["p50_us"] / 1000,
        p99_ms=result["p99_us"] / 1000,
        errors={k: int(result[k]) for k in ("connect", "read", "write", "status", "timeout")},
        server_cpu=(after_server - before_server) / hz / wall,
        load_cpu=(usage.ru_utime + usage.ru_stime) / wall,
        busy=busy,
    )


# -- the run -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Settings:
    duration: float
    warmup: float
    connections: int
    per_connection: int
    databases: tuple[str, ...]
    pin: bool


@dataclass(frozen=True, slots=True)
class Row:
    server: str
    database: str
    operation: str
    run: Run


class Bench:
    def __init__(self, settings: Settings, tmp: Path, cores: Cores) -> None:
        self.settings = settings
        self.tmp = tmp
        self.cores = cores
        self.script = tmp / "replay.lua"
        self.script.write_text(WRK_SCRIPT)
        self.rows: list[Row] = []
        self.counter = 0

    def _pool(self, target: Target, operation: Operation) -> Path:
        self.counter += 1
        directory = self.tmp / f"pool-{self.counter}"
        s = self.settings
        write_pool(directory, target, operation.params, s.connections, s.per_connection)
        return directory

    def measure(self, target: Target, name: str) -> Row:
        """Check one answer, warm up, then the timed run (pools signed just before each)."""
        tag = secrets.token_hex(3)
        operation = operations(tag)[name]
        if target.server.startswith("starlette"):
            operation = Operation(name, operation.params, _expect(b"<UserName>user-"))
        signer = Signer(target)
        answers = [send(target.port, signer.sign(p)) for p in operation.params(999, 0)]
        problem = operation.check(answers)
        if problem:
            raise SystemExit(f"{target.server} {target.database} {name}: {problem}")
        s = self.settings
        if s.warmup > 0:
            warm = operations(f"w{tag}")[name] if "Create" in name else operation
            run_wrk(
                target, self._pool(target, warm), s.connections, s.warmup, self.cores, self.script
            )
            if "Create" in name:
                remove_bench_users(target)
        run = run_wrk(
            target,
            self._pool(target, operation),
            s.connections,
            s.duration,
            self.cores,
            self.script,
        )
        if "Create" in name:
            remove_bench_users(target)
        row = Row(target.server, target.database, name, run)
        self.rows.append(row)
        print_row(row)
        return row


def print_header(settings: Settings, cores: Cores) -> None:
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("starlette", "uvicorn", "h11", "SQLAlchemy", "moto", "Werkzeug", "botocore")
    )
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()
    print(f"python {platform.python_version()} on {platform.machine()}; {versions}")
    print(f"{wrk[0] if wrk else 'wrk'}; {os.cpu_count()} CPUs")
    pinned = (
        f"servers on CPU {cores.server_cpu}, wrk on CPU {cores.load_cpu} (taskset); "
        "PostgreSQL unpinned"
        if cores.server_cpu is not None
        else "no CPU pinning"
    )
    print(
        f"{settings.connections} connections (wrk -t {settings.connections} "
        f"-c {settings.connections}), {settings.warmup:g} s warm-up + {settings.duration:g} s "
        f"timed per row; {pinned}"
    )
    print(
        "CPU columns, in % of one CPU over the timed run: srv = the server process, wrk = wrk, "
        "rest = everything else (PostgreSQL, kernel, other jobs on the machine); "
        "req/srv-CPU-s = requests per CPU-second the server used"
    )
    print(
        f"\n{'server':<21}{'database':<9}{'operation':<23}{'req/s':>8}{'p50 ms':>8}"
        f"{'p99 ms':>9}{'requests':>9}{'srv':>6}{'wrk':>5}{'rest':>6}{'req/srv-CPU-s':>14}  errors"
    )


def print_row(row: Row) -> None:
    r = row.run
    errors = ", ".join(f"{k} {v}" for k, v in r.errors.items() if v) or "-"
    print(
        f"{row.server:<21}{row.database:<9}{row.operation:<23}{r.per_second:>8,.0f}"
        f"{r.p50_ms:>8.2f}{r.p99_ms:>9.2f}{r.requests:>9}{r.server_cpu * 100:>5.0f}%"
        f"{r.load_cpu * 100:>4.0f}%{r.rest_cpu * 100:>5.0f}%{r.per_server_second:>14,.0f}"
        f"  {errors}",
        flush=True,
    )


def run_database(bench: Bench, database: str, moto: Target) -> dict[str, tuple[Row, Row | None]]:
    """Stockade on one database, moto beside it; per operation (stockade row, moto row)."""
    tmp = bench.tmp / database
    tmp.mkdir()
    print(f"-- {database}: stockade, and moto_server measured alongside")
    storage: AbstractContextManager[str | None] = (
        postgres_database() if database == "postgres" else nullcontext()
    )
    with storage as url, running(start_stockade, tmp, database, url, bench.cores) as stockade:
        seed(stockade)
        results: dict[str, tuple[Row, Row | None]] = {}
        moto_rows: dict[str, Row] = {}
        for name in ("GetUser", "ListUsers", "CreateUser+DeleteUser"):
            row = bench.measure(stockade, name)
            moto_rows[name] = bench.measure(moto, name)
            results[name] = (row, moto_rows[name])
        if serves_simulate(stockade):
            row = bench.measure(stockade, "SimulatePrincipalPolicy")
            results["SimulatePrincipalPolicy"] = (row, moto_rows["GetUser"])
        else:
            print(f"stockade {database}: SimulatePrincipalPolicy not served (NotImplemented)")
    return results


def summary(results: dict[str, dict[str, tuple[Row, Row | None]]], ceilings: Sequence[Row]) -> str:
    parts = []
    for database, rows in results.items():
        items = []
        for name in ("GetUser", "ListUsers", "CreateUser+DeleteUser", "SimulatePrincipalPolicy"):
            if name not in rows:
                items.append(f"{name} n/a")
                continue
            ours, theirs = rows[name]
            x = ours.run.per_second
            y = theirs.run.per_second if theirs else float("nan")
            peer = "moto GetUser" if name == "SimulatePrincipalPolicy" else "moto"
            items.append(f"{name} stockade {x:.0f} {peer} {y:.0f} ({x / y:.1f}x)")
        parts.append(f"{database}: " + "; ".join(items))
    ceiling = ", ".join(f"{row.server} {row.run.per_second:.0f}" for row in ceilings)
    return "API req/s " + "; ".join(parts) + f"; ceiling {ceiling}"


def parse_args(argv: Sequence[str]) -> Settings | tuple[int, bool]:
    parser = argparse.ArgumentParser(description="IAM API throughput: Stockade against moto_server")
    parser.add_argument("--duration", type=float, default=8, help="timed seconds per row")
    parser.add_argument("--warmup", type=float, default=2, help="untimed seconds per row")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients")
    parser.add_argument(
        "--per-connection", type=int, default=150, help="signed requests per connection (cycled)"
    )
    parser.add_argument("--databases", default="sqlite,postgres", help="comma-separated")
    parser.add_argument("--no-pin", action="store_true", help="do not pin with taskset")
    parser.add_argument("--serve-ceiling", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--threadpool", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_ceiling:
        return args.serve_ceiling, args.threadpool
    databases = tuple(d for d in args.databases.split(",") if d)
    if not set(databases) <= {"sqlite", "postgres"}:
        raise SystemExit("--databases: sqlite and/or postgres")
    return Settings(
        args.duration,
        args.warmup,
        args.connections,
        args.per_connection,
        databases,
        not args.no_pin,
    )


def main(argv: Sequence[str]) -> None:
    settings = parse_args(argv)
    if isinstance(settings, tuple):
        serve_ceiling(*settings)
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    cores = Cores.choose(settings.pin)
    started = time.monotonic()
    print_header(settings, cores)
    with tempfile.TemporaryDirectory(prefix="stockade-bench-api-") as directory:
        bench = Bench(settings, Path(directory), cores)
        ceilings = []
        print("-- ceiling: a fixed XML answer, Starlette on uvicorn as stockade serve runs it")
        for threadpool in (False, True):
            with running(start_ceiling, bench.tmp, cores, threadpool) as ceiling:
                ceilings.append(bench.measure(ceiling, "GetUser"))
        results = {}
        with running(start_moto, bench.tmp, cores) as moto:
            seed(moto)
            for database in settings.databases:
                results[database] = run_database(bench, database, moto)
    print(f"\nwall time {time.monotonic() - started:.0f} s")
    print(summary(results, ceilings))


if __name__ == "__main__":
    main(sys.argv[1:])
