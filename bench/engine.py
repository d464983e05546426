"""Policy decision speed: Stockade against moto's IAM evaluator and cedarpy, in one run.

Workloads (one IAM user, identity policies only):

- W100: 10 policies x 10 statements, all S3. In each policy, 8 Allow statements grant
  Get/Put/Delete/List* on `arn:aws:s3:::team-N-bucket/prefix-M/*`-shaped ARNs (some with a
  wildcard bucket, `team-N-*`), 1 Allows `ec2:Describe*` on `*`, and 1 Denies Delete (or
  Put and Delete) on a wildcard ARN such as `arn:aws:s3:::*-prod/*`.
- W2000: 200 policies x 10 statements of the same mix, spread over 20 service prefixes.

Requests cycle allow / implicit deny / explicit deny, each on a resource ARN never used before
(12,000 distinct ARNs per workload), so no decision cache can hide the cost. Implicit denies
use an action the user holds on a resource no Allow covers (the costly kind: the action index
does not short-cut them); explicit denies hit a resource an Allow also covers.

Engines, on the very same requests:

- stockade: `PolicySet` built once. Timed: `evaluate(Request(...), policies)`, the Request built
  inside the timing; `Policies(identity=...)` is per-principal state (its docstring: build it once
  per principal), built once. A second row rebuilds `Policies(...)` on every call too, and a
  third times `explain(...)` (explanations are built only when asked for).
- moto: `moto.iam.access_control.IAMPolicy`, one per policy, built once (moto itself re-parses
  the JSON on every request; we do not charge it for that), combined as
  `IAMRequestBase.check_action_permitted` does: any DENIED is an explicit deny, else any
  PERMITTED allows, else implicit deny.
- cedarpy: one Cedar `permit`/`forbid` per IAM statement, matching `action.name like ...` and
  `resource.arn like ...` on string attributes; the policy set is parsed once, the entity list
  (user, action, resource) is built per request, inside the timing. A Deny with a determining
  policy is an explicit deny. Timed per call (`is_authorized`) and in batches
  (`is_authorized_batch`, batch time / batch size); the cheaper median is the one compared.

Method: before any timing, every engine must give the expected decision for every request it
will be timed on (all three classes); a disagreement aborts the run. Then one untimed warm-up
pass per engine, and timed passes taken round-robin across engines so that this noisy 2-core
machine's hiccups fall on all of them alike. `time.perf_counter_ns` wraps each call (each batch
for cedarpy's batch mode); its own cost (~80 ns) is printed, not subtracted. Samples of all
passes are pooled: decisions/s = decisions / summed call time; median and p99 per decision.
Stockade runs every request; peers and explain, which are ~100x slower, run a seeded random
sample of whole allow/implicit/explicit triples. The last line is machine-readable:
`W100 median us: stockade X, moto Y, cedarpy Z; W2000 median us: stockade W`.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata

import cedarpy
from moto.iam.access_control import IAMPolicy, PermissionResult

from stockade.policy import (
    Outcome,
    Policies,
    PolicySet,
    Principal,
    Request,
    evaluate,
    explain,
    parse_policy,
)

SEED = 20_000
ACCOUNT = "123456789012"
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/bench-user"
CEDAR_USER = {"type": "User", "id": "bench-user"}
STATEMENTS_PER_POLICY = 10
ALLOWS_PER_POLICY = 8
DENY_SUFFIXES = ("prod", "archive", "backup", "audit", "legal")
SERVICES = (
    ("s3", "Object"),
    ("dynamodb", "Item"),
    ("sqs", "Message"),
    ("sns", "Topic"),
    ("kms", "Key"),
    ("secretsmanager", "Secret"),
    ("ssm", "Parameter"),
    ("lambda", "Function"),
    ("logs", "LogStream"),
    ("ecr", "Image"),
    ("glue", "Table"),
    ("athena", "WorkGroup"),
    ("kinesis", "Record"),
    ("firehose", "DeliveryStream"),
    ("states", "StateMachine"),
    ("events", "Rule"),
    ("codecommit", "Repository"),
    ("elasticfilesystem", "FileSystem"),
    ("rds", "Snapshot"),
    ("cloudwatch", "Dashboard"),
)


# -- workloads ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Service:
    prefix: str
    noun: str

    def action(self, verb: str) -> str:
        return f"{self.prefix}:{verb}{self.noun}"

    def arn(self, container: str, path: str | None = None) -> str:
        """S3's ARN shape for s3, `arn:aws:svc:region:account:type/container/path` elsewhere."""
        tail = container if path is None else f"{container}/{path}"
        if self.prefix == "s3":
            return f"arn:aws:s3:::{tail}"
        return f"arn:aws:{self.prefix}:us-east-1:{ACCOUNT}:{self.noun.lower()}/{tail}"


@dataclass(frozen=True, slots=True)
class Rule:
    """One IAM statement, simple enough to translate to every engine."""

    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Probe:
    """One request and the decision every engine must reach."""

    action: str
    resource: str
    expected: Outcome


@dataclass(frozen=True, slots=True)
class Workload:
    name: str
    documents: tuple[tuple[Rule, ...], ...]
    probes: tuple[Probe, ...]

    @property
    def statement_count(self) -> int:
        return sum(len(document) for document in self.documents)


def _allow_rule(service: Service, team: int) -> Rule:
    """The four Allow shapes, by the statement's place in its policy."""
    bucket, shared, prefix = f"team-{team}-bucket", f"team-{team}-*", f"prefix-{team % 5}/*"
    kind = team % 4
    if kind == 0:
        return Rule("Allow", (service.action("Get"),), (service.arn(bucket, prefix),))
    if kind == 1:
        actions = (service.action("Get"), service.action("Put"))
        return Rule("Allow", actions, (service.arn(shared, prefix),))
    if kind == 2:
        resources = (service.arn(bucket), service.arn(bucket, "*"))
        return Rule("Allow", (f"{service.prefix}:List*",), resources)
    actions = (service.action("Put"), service.action("Delete"))
    return Rule("Allow", actions, (service.arn(shared, prefix),))


def _deny_rule(service: Service, ordinal: int) -> Rule:
    suffix = DENY_SUFFIXES[ordinal % len(DENY_SUFFIXES)]
    verbs = ("Delete",) if ordinal % 2 == 0 else ("Put", "Delete")
    actions = tuple(service.action(verb) for verb in verbs)
    return Rule("Deny", actions, (service.arn(f"*-{suffix}", "*"),))


def _service_of(policy: int, services: Sequence[Service]) -> Service:
    return services[policy % len(services)]


def _document(policy: int, services: Sequence[Service]) -> tuple[Rule, ...]:
    service = _service_of(policy, services)
    teams = range(policy * ALLOWS_PER_POLICY, (policy + 1) * ALLOWS_PER_POLICY)
    rules = [_allow_rule(service, team) for team in teams]
    rules.append(Rule("Allow", ("ec2:Describe*",), ("*",)))
    rules.append(_deny_rule(service, policy // len(services)))
    return tuple(rules)


def _allow_probe(service: Service, team: int, n: int) -> Probe:
    path = f"prefix-{team % 5}/obj-{n}"
    kind = team % 4
    if kind == 0:
        request = (service.action("Get"), service.arn(f"team-{team}-bucket", path))
    elif kind == 1:
        request = (service.action("Put"), service.arn(f"team-{team}-data", path))
    elif kind == 2:
        request = (
            f"{service.prefix}:List{service.noun}s",
            service.arn(f"team-{team}-bucket", f"obj-{n}"),
        )
    else:
        request = (service.action("Delete"), service.arn(f"team-{team}-data", path))
    return Probe(*request, Outcome.ALLOWED)


def _implicit_probe(service: Service, team: int, n: int, variant: int) -> Probe:
    if variant % 2:  # the user's bucket, a prefix no statement grants
        resource = service.arn(f"team-{team}-bucket", f"private-{n}/obj")
        return Probe(service.action("Get"), resource, Outcome.IMPLICIT_DENY)
    resource = service.arn(f"guest-{n}-bucket", f"prefix-{team % 5}/obj")
    return Probe(service.action("Put"), resource, Outcome.IMPLICIT_DENY)


def _explicit_probe(service: Service, policy: int, n: int, variant: int, n_services: int) -> Probe:
    """Denied by the policy's Deny although its kind-3 statement (Put, Delete) allows it."""
    team = policy * ALLOWS_PER_POLICY + 3
    ordinal = policy // n_services
    suffix = DENY_SUFFIXES[ordinal % len(DENY_SUFFIXES)]
    verb = "Put" if ordinal % 2 and variant % 2 else "Delete"
    resource = service.arn(f"team-{team}-{suffix}", f"prefix-{team % 5}/obj-{n}")
    return Probe(service.action(verb), resource, Outcome.EXPLICIT_DENY)


def _probes(n_policies: int, services: Sequence[Service], count: int) -> Iterator[Probe]:
    for n in range(count):
        step = n // 3
        policy = step % n_policies
        service = _service_of(policy, services)
        round_ = step // n_policies
        team = policy * ALLOWS_PER_POLICY + round_ % ALLOWS_PER_POLICY
        variant = round_ + policy  # alternates the request shapes within a class
        if n % 3 == 0:
            yield _allow_probe(service, team, n)
        elif n % 3 == 1:
            yield _implicit_probe(service, team, n, variant)
        else:
            yield _explicit_probe(service, policy, n, variant, len(services))


def build_workload(name: str, n_policies: int, n_services: int, n_requests: int) -> Workload:
    services = [Service(*spec) for spec in SERVICES[:n_services]]
    documents = tuple(_document(p, services) for p in range(n_policies))
    probes = tuple(_probes(n_policies, services, n_requests))
    if len({probe.resource for probe in probes}) != len(probes):
        raise SystemExit(f"{name}: request ARNs are not all distinct")
    return Workload(name, documents, probes)


def iam_json(rules: Sequence[Rule]) -> str:
    statements = [
        {
            "Sid": f"S{i}",
            "Effect": r.effect,
            "Action": list(r.actions),
            "Resource": list(r.resources),
        }
        for i, r in enumerate(rules)
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


# -- engines: each turns a workload into a decide(action, resource) -> Outcome -----------------
Decide = Callable[[str, str], Outcome]


def stockade_policy_set(workload: Workload) -> PolicySet:
    return PolicySet(
        parse_policy(iam_json(doc), policy_id=f"arn:aws:iam::{ACCOUNT}:policy/bench-{i}")
        for i, doc in enumerate(workload.documents)
    )


def stockade_engine(workload: Workload) -> Decide:
    """The server's path: Policies is per-principal state, built once; the Request per call."""
    policies = Policies(identity=stockade_policy_set(workload))
    principal = Principal(USER_ARN)

    def decide(action: str, resource: str) -> Outcome:
        return evaluate(Request(action, resource, {}, principal), policies)

    return decide


def stockade_unshared_engine(workload: Workload) -> Decide:
    """As above, but Policies(...) too is rebuilt for every request."""
    policy_set = stockade_policy_set(workload)
    principal = Principal(USER_ARN)

    def decide(action: str, resource: str) -> Outcome:
        return evaluate(Request(action, resource, {}, principal), Policies(identity=policy_set))

    return decide


def stockade_explain_engine(workload: Workload) -> Decide:
    policies = Policies(identity=stockade_policy_set(workload))
    principal = Principal(USER_ARN)

    def decide(action: str, resource: str) -> Outcome:
        return explain(Request(action, resource, {}, principal), policies).outcome

    return decide


def moto_engine(workload: Workload) -> Decide:
    policies = [IAMPolicy(iam_json(doc)) for doc in workload.documents]

    def decide(action: str, resource: str) -> Outcome:
        permitted = False
        for policy in policies:
            result = policy.is_action_permitted(action, resource)
            if result == PermissionResult.DENIED:
                return Outcome.EXPLICIT_DENY
            if result == PermissionResult.PERMITTED:
                permitted = True
        return Outcome.ALLOWED if permitted else Outcome.IMPLICIT_DENY

    return decide


def _cedar_any(attribute: str, patterns: Sequence[str]) -> str:
    return " || ".join(f'{attribute} like "{pattern}"' for pattern in patterns)


def cedar_policy(rule: Rule) -> str:
    effect = "permit" if rule.effect == "Allow" else "forbid"
    clauses = [f"({_cedar_any('action.name', rule.actions)})"]
    if "*" not in rule.resources:
        clauses.append(f"({_cedar_any('resource.arn', rule.resources)})")
    head = f'{effect} (principal == User::"{CEDAR_USER["id"]}", action, resource)'
    return f"{head}\nwhen {{ {' && '.join(clauses)} }};"


def cedar_policy_set(workload: Workload) -> cedarpy.PolicySet:
    text = "\n".join(cedar_policy(rule) for doc in workload.documents for rule in doc)
    return cedarpy.PolicySet.from_str(text)


def cedar_request(action: str, resource: str) -> tuple[dict[str, object], list[dict[str, object]]]:
    """The request and its entities: the user, the action and the resource, as a server would."""
    action_uid = {"type": "Action", "id": action}
    resource_uid = {"type": "Resource", "id": resource}
    request: dict[str, object] = {
        "principal": CEDAR_USER,
        "action": action_uid,
        "resource": resource_uid,
        "context": {},
    }
    entities: list[dict[str, object]] = [
        {"uid": CEDAR_USER, "attrs": {}, "parents": []},
        {"uid": action_uid, "attrs": {"name": action}, "parents": []},
        {"uid": resource_uid, "attrs": {"arn": resource}, "parents": []},
    ]
    return request, entities


def cedar_outcome(result: cedarpy.AuthzResult) -> Outcome:
    if result.diagnostics.errors:
        raise SystemExit(f"cedarpy evaluation errors: {result.diagnostics.errors}")
    if result.allowed:
        return Outcome.ALLOWED
    return Outcome.EXPLICIT_DENY if result.diagnostics.reasons else Outcome.IMPLICIT_DENY


def cedar_engine(workload: Workload) -> Decide:
    policy_set = cedar_policy_set(workload)

    def decide(action: str, resource: str) -> Outcome:
        request, entities = cedar_request(action, resource)
        return cedar_outcome(cedarpy.is_authorized(request, policy_set, entities))

    return decide


BatchDecide = Callable[[Sequence[Probe]], list[Outcome]]


def cedar_batch_engine(workload: Workload) -> BatchDecide:
    policy_set = cedar_policy_set(workload)

    def decide(probes: Sequence[Probe]) -> list[Outcome]:
        requests: list[dict[str, object]] = []
        entities: dict[str, dict[str, object]] = {}
        for probe in probes:
            request, request_entities = cedar_request(probe.action, probe.resource)
            requests.append(request)
            for entity in request_entities:
                uid = entity["uid"]
                assert isinstance(uid, dict)
                entities[f"{uid['type']}::{uid['id']}"] = entity
        results = cedarpy.is_authorized_batch(requests, policy_set, list(entities.values()))
        return [cedar_outcome(result) for result in results]

    return decide


# -- verification ------------------------------------------------------------------------------
def verify(label: str, decide: Decide, probes: Sequence[Probe]) -> None:
    """Abort unless the engine decides every probe as expected, for every request class."""
    seen: set[Outcome] = set()
    for probe in probes:
        got = decide(probe.action, probe.resource)
        if got is not probe.expected:
            raise SystemExit(
                f"{label} disagrees: {probe.action} on {probe.resource}: "
                f"expected {probe.expected.value}, got {got.value}"
            )
        seen.add(got)
    if seen != set(Outcome):
        raise SystemExit(f"{label}: the probes do not cover every outcome ({sorted(seen)})")


def verify_batch(label: str, decide: BatchDecide, batches: Sequence[Sequence[Probe]]) -> None:
    for batch in batches:
        for probe, got in zip(batch, decide(batch), strict=True):
            if got is not probe.expected:
                raise SystemExit(f"{label} disagrees on {probe}: got {got.value}")


# -- timing ------------------------------------------------------------------------------------
Pass = tuple[list[float], int, int]  # per-decision samples (ns), decisions, total ns


def each_pass(decide: Decide, probes: Sequence[Probe]) -> Callable[[], Pass]:
    """One timed pass: perf_counter_ns around every call."""
    pairs = [(probe.action, probe.resource) for probe in probes]

    def run() -> Pass:
        clock = time.perf_counter_ns
        samples: list[float] = []
        for action, resource in pairs:
            start = clock()
            decide(action, resource)
            samples.append(clock() - start)
        return samples, len(samples), int(sum(samples))

    return run


def batch_pass(decide: BatchDecide, batches: Sequence[Sequence[Probe]]) -> Callable[[], Pass]:
    """One timed pass: perf_counter_ns around each batch; a sample is the batch's mean."""

    def run() -> Pass:
        clock = time.perf_counter_ns
        samples: list[float] = []
        total = 0
        for batch in batches:
            start = clock()
            decide(batch)
            elapsed = clock() - start
            samples.append(elapsed / len(batch))
            total += elapsed
        return samples, sum(len(batch) for batch in batches), total

    return run


@dataclass(slots=True)
class Job:
    label: str
    run: Callable[[], Pass]
    reps: int
    samples: list[float] = field(default_factory=list)
    decisions: int = 0
    total_ns: int = 0

    def add(self, result: Pass) -> None:
        samples, decisions, total_ns = result
        self.samples += samples
        self.decisions += decisions
        self.total_ns += total_ns


def measure(jobs: Sequence[Job]) -> list[Stats]:
    """One untimed warm-up pass each, then the jobs' passes round-robin, so that the machine's
    noise falls on every engine alike."""
    for job in jobs:
        job.run()
    for round_ in range(max(job.reps for job in jobs)):
        for job in jobs:
            if round_ < job.reps:
                gc.collect()
                job.add(job.run())
    return [Stats(j.label, tuple(j.samples), j.decisions, j.total_ns) for j in jobs]


@dataclass(frozen=True, slots=True)
class Stats:
    label: str
    samples_ns: tuple[float, ...]  # per-decision latency, one per timed call (or batch mean)
    decisions: int
    total_ns: float

    @property
    def median_us(self) -> float:
        return _percentile(self.samples_ns, 0.5) / 1000

    @property
    def p99_us(self) -> float:
        return _percentile(self.samples_ns, 0.99) / 1000

    @property
    def per_second(self) -> float:
        return self.decisions / (self.total_ns / 1e9)


def _percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timer_overhead_ns() -> float:
    clock = time.perf_counter_ns
    samples = []
    for _ in range(10_000):
        start = clock()
        samples.append(clock() - start)
    return _percentile(samples, 0.5)


def sample(probes: Sequence[Probe], count: int) -> list[Probe]:
    """`count` probes: whole allow/implicit/explicit triples, picked at random (fixed seed)."""
    triples = len(probes) // 3
    picked = random.Random(SEED).sample(range(triples), min(triples, -(-count // 3)))
    return [probes[3 * t + c] for t in sorted(picked) for c in range(3)][:count]


def chunks(probes: Sequence[Probe], size: int) -> list[Sequence[Probe]]:
    return [probes[i : i + size] for i in range(0, len(probes), size)]


# -- the run ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Settings:
    requests: int
    reps: int
    peer_reps: int
    peer_sample: dict[str, int]
    batch_size: int


def stockade_jobs(workload: Workload, settings: Settings) -> list[Job]:
    fast, unshared = stockade_engine(workload), stockade_unshared_engine(workload)
    explaining = stockade_explain_engine(workload)
    explain_probes = sample(workload.probes, settings.peer_sample[workload.name])
    verify(f"{workload.name} stockade", fast, workload.probes)
    verify(f"{workload.name} stockade (Policies per call)", unshared, workload.probes)
    verify(f"{workload.name} stockade explain", explaining, explain_probes)
    return [
        Job("stockade evaluate", each_pass(fast, workload.probes), settings.reps),
        Job("stockade +Policies() per call", each_pass(unshared, workload.probes), settings.reps),
        Job("stockade explain", each_pass(explaining, explain_probes), settings.peer_reps),
    ]


def peer_jobs(workload: Workload, settings: Settings) -> list[Job]:
    probes = sample(workload.probes, settings.peer_sample[workload.name])
    batches = chunks(probes, settings.batch_size)
    moto, cedar = moto_engine(workload), cedar_engine(workload)
    cedar_batch = cedar_batch_engine(workload)
    verify(f"{workload.name} moto", moto, probes)
    verify(f"{workload.name} cedarpy", cedar, probes)
    verify_batch(f"{workload.name} cedarpy batch", cedar_batch, batches)
    reps = settings.peer_reps
    return [
        Job("moto IAMPolicy", each_pass(moto, probes), reps),
        Job("cedarpy is_authorized", each_pass(cedar, probes), reps),
        Job(f"cedarpy batch/{settings.batch_size}", batch_pass(cedar_batch, batches), reps),
    ]


def print_header(settings: Settings, timer_ns: float) -> None:
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("moto", "cedarpy"))
    print(f"peers: {versions}; perf_counter_ns overhead ~{timer_ns:.0f} ns/sample (kept)")
    samples = ", ".join(f"{name} {count}" for name, count in settings.peer_sample.items())
    print(
        f"stockade: every request x {settings.reps} reps; peers and explain: sampled ({samples}) "
        f"x {settings.peer_reps} reps; cedarpy batches of {settings.batch_size}"
    )


def print_workload(workload: Workload, stats: Sequence[Stats]) -> None:
    print(
        f"\n{workload.name}: {len(workload.documents)} policies, {workload.statement_count} "
        f"statements, {len(workload.probes)} distinct resource ARNs"
    )
    print(f"  {'engine':<31}{'decisions/s':>12}{'median us':>11}{'p99 us':>10}{'samples':>9}")
    for s in stats:
        print(
            f"  {s.label:<31}{s.per_second:>12,.0f}{s.median_us:>11.2f}{s.p99_us:>10.2f}"
            f"{len(s.samples_ns):>9}"
        )


def median_of(stats: Sequence[Stats], prefix: str) -> Stats:
    """The fastest of the rows whose label starts with `prefix` (cedarpy: single or batch)."""
    return min((s for s in stats if s.label.startswith(prefix)), key=lambda s: s.median_us)


def print_ratios(name: str, stats: Sequence[Stats]) -> None:
    base = median_of(stats, "stockade evaluate").median_us
    moto, cedar = median_of(stats, "moto"), median_of(stats, "cedarpy")
    print(
        f"{name} ratio (peer median / stockade median): moto {moto.median_us / base:.1f}x, "
        f"cedarpy {cedar.median_us / base:.1f}x (cedarpy figure: {cedar.label})"
    )


def parse_args(argv: Sequence[str]) -> Settings:
    parser = argparse.ArgumentParser(description="Policy decision speed against moto and cedarpy")
    parser.add_argument("--requests", type=int, default=12_000, help="distinct requests each")
    parser.add_argument("--reps", type=int, default=7, help="timed passes, stockade")
    parser.add_argument("--peer-reps", type=int, default=3, help="timed passes, peers, explain")
    parser.add_argument("--peer-sample", type=int, default=3_000, help="peer decisions, W100")
    parser.add_argument("--peer-sample-w2000", type=int, default=300, help="the same, W2000")
    parser.add_argument("--batch-size", type=int, default=100, help="cedarpy batch size")
    args = parser.parse_args(argv)
    peer_sample = {"W100": args.peer_sample, "W2000": args.peer_sample_w2000}
    return Settings(args.requests, args.reps, args.peer_reps, peer_sample, args.batch_size)


def run_workload(workload: Workload, settings: Settings) -> list[Stats]:
    stats = measure(stockade_jobs(workload, settings) + peer_jobs(workload, settings))
    print_workload(workload, stats)
    return stats


def main(argv: Sequence[str]) -> None:
    settings = parse_args(argv)
    print_header(settings, timer_overhead_ns())
    w100 = build_workload("W100", 10, 1, settings.requests)
    w2000 = build_workload("W2000", 200, 20, settings.requests)
    results = {w.name: run_workload(w, settings) for w in (w100, w2000)}
    print()
    for name, stats in results.items():
        print_ratios(name, stats)
    w100_stockade, w2000_stockade = (
        median_of(results[name], "stockade evaluate").median_us for name in ("W100", "W2000")
    )
    print(f"W2000 / W100 stockade median: {w2000_stockade / w100_stockade:.2f}x")
    moto, cedar = (median_of(results["W100"], peer).median_us for peer in ("moto", "cedarpy"))
    print(
        f"W100 median us: stockade {w100_stockade:.2f}, moto {moto:.2f}, cedarpy {cedar:.2f}; "
        f"W2000 median us: stockade {w2000_stockade:.2f}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
