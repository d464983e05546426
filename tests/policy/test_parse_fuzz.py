"""Fuzz tests: `parse_policy` raises PolicyError and nothing else; accepted policies evaluate.

Whatever is offered as a policy (bytes, text, any JSON value, or a plausible document with random
mutations) must end in a `Policy` or a `PolicyError`, for every policy kind, with and without
`require_current_version` and `size_limit` (docs/policy-engine.md: "never another exception").
A document that is accepted must compile (`PolicySet`), and deciding random requests with it must
not raise, with `explain(...).outcome == evaluate(...)`: the fast path and the explaining path
must agree on every decision.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from stockade.policy import (
    SIZE_LIMITS,
    Effect,
    Outcome,
    Policies,
    Policy,
    PolicyError,
    PolicyKind,
    PolicySet,
    Principal,
    PrincipalType,
    Request,
    evaluate,
    explain,
    parse_policy,
)

ACCOUNT = "111122223333"
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/alice"
OTHER_USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/bob"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/Dev"
SESSION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/Dev/session-1"
FEDERATED_ARN = f"arn:aws:sts::{ACCOUNT}:federated-user/carol"
ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"

# No example database: saving every shrink step of these large examples costs far more than
# finding them again (a failing test shrinks in seconds without it, in most of a minute with it).
FUZZ_SETTINGS = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# -- parsing options ---------------------------------------------------------------------------

PARSE_OPTIONS = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(list(PolicyKind)),
        "require_current_version": st.booleans(),
        "size_limit": st.one_of(
            st.none(), st.sampled_from(sorted(SIZE_LIMITS.values())), st.integers(0, 300)
        ),
    }
)


def parse_or_reject(document: Any, options: dict[str, Any]) -> Policy | None:
    """The parsed policy, or None when it is refused with a proper PolicyError."""
    try:
        return parse_policy(document, **options)
    except PolicyError as error:
        assert error.code in {"MalformedPolicyDocument", "LimitExceeded"}, error.code
        assert error.message, "a PolicyError must say what is wrong"
        return None
    except Exception as error:
        raise AssertionError(
            f"parse_policy raised {type(error).__name__} instead of PolicyError: {error}"[:400]
        ) from error


# -- pools of plausible policy parts -----------------------------------------------------------

ACTIONS = [
    "s3:GetObject", "s3:*", "S3:get*", "iam:*AccessKey*", "iam:Get?ser", "iam:CreateUser", "*",
    "ec2:Describe*", "sts:GetCallerIdentity", "*:Get*",
]  # fmt: skip
TRUST_ACTIONS = ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:TagSession", "sts:*"]
RESOURCES = [
    "*", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::bucket/home/${aws:username}/*",
    f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}", f"arn:aws:iam::{ACCOUNT}:user/*",
    f"arn:aws:ec2:*:{ACCOUNT}:instance/*", "arn:aws:ec2:us-*", "arn:aws:s3:::b/${*}${?}${$}",
    "arn:aws:s3:::b/${aws:PrincipalTag/team, 'none'}/*", "arn:aws:s3:::b/${AWS:UserName}",
    "arn:aws:s3:::b/?/x.txt", "arn:aws:s3:::b/${aws:PrincipalTag/team}",
]  # fmt: skip
PRINCIPALS: list[Any] = [
    "*", {"AWS": "*"}, {"AWS": ACCOUNT}, {"AWS": ROOT_ARN}, {"AWS": USER_ARN},
    {"AWS": [ROLE_ARN, SESSION_ARN]}, {"AWS": ROLE_ARN}, {"AWS": FEDERATED_ARN},
    {"Service": "ec2.amazonaws.com"}, {"Federated": "cognito-identity.amazonaws.com"},
    {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
]  # fmt: skip
BASE_OPERATORS = [
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
    "StringLike", "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan",
    "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals",
    "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
    "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals",
    "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
]  # fmt: skip
CONDITION_KEYS = [
    "aws:username", "aws:userid", "aws:SecureTransport", "aws:MultiFactorAuthPresent",
    "aws:MultiFactorAuthAge", "aws:CurrentTime", "aws:EpochTime", "aws:TokenIssueTime",
    "aws:SourceIp", "aws:PrincipalArn", "aws:SourceArn", "aws:TagKeys", "aws:PrincipalTag/team",
    "AWS:PrincipalTag/Team", "aws:RequestTag/env", "aws:RequestedRegion", "s3:prefix",
    "custom:blob",
]  # fmt: skip
# Values each operator family accepts (Date values are checked when the policy is written).
FAMILY_VALUES: dict[str, list[Any]] = {
    "String": ["alice", "Alice", "*", "a*b?", "", "us-east-1", "日本", "${aws:username}",
               "${aws:PrincipalTag/team, 'x'}", "${*}", "${", "eng", 7, True],
    "Numeric": ["0", "3600", "-1.5", "1e3", "NaN", "Infinity", "ten", 3600, 1.5, -0.0, 1e300],
    "Date": ["2026-06-01T12:00:00Z", "2026-06-01T14:00:00+02:00", "2026-06-01", "1780315200",
             "2026-06-01T12:00:00.123456789Z", 1780315200, "1970-01-01T00:00:00Z"],
    "Bool": ["true", "false", "TRUE", "yes", True, False, "${aws:username}"],
    "Binary": ["QmluYXJ5", "QUI=", "bad base64!", ""],
    "IpAddress": ["203.0.113.0/24", "203.0.113.10", "2001:db8::/32", "::1", "not-an-ip",
                  "10.0.0.0/255.0.0.0"],
    "Arn": ["arn:aws:iam::*:role/*", f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}",
            "arn:aws:*", "arn:aws:s3:::bucket", "*", "arn:aws:iam::111122223333:role/a:b"],
    "Null": ["true", "false", True, False],
}  # fmt: skip
# Dates that IAM accepts but that sit at the edge of what a calendar library can hold.
EDGE_DATES = [
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "0001-01-01", "9999-12-31",
    "99999-01-01", "0000-01-01", "9223372036854775807",
]  # fmt: skip


def family_of(operator: str) -> str:
    base = operator.split(":")[-1].removesuffix("IfExists")
    for family in ("String", "Numeric", "Date", "Bool", "Binary", "Arn", "Null"):
        if base.startswith(family):
            return family
    return "IpAddress"


OPERATORS = st.builds(
    lambda qualifier, base, if_exists: qualifier + base + if_exists,
    st.sampled_from(["", "", "ForAllValues:", "ForAnyValue:"]),
    st.sampled_from(BASE_OPERATORS),
    st.sampled_from(["", "IfExists"]),
).filter(lambda operator: operator != "NullIfExists" and not operator.endswith(":NullIfExists"))


def one_or_list(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(values, st.lists(values, min_size=1, max_size=3))


@st.composite
def conditions(draw: st.DrawFn, edge_dates: bool, small: bool) -> dict[str, dict[str, Any]]:
    block: dict[str, dict[str, Any]] = {}
    most = 1 if small else 3
    for operator in draw(st.lists(OPERATORS, min_size=1, max_size=most, unique=True)):
        pool = FAMILY_VALUES[family_of(operator)]
        if edge_dates and family_of(operator) == "Date":
            pool = pool + EDGE_DATES
        keys = draw(
            st.lists(st.sampled_from(CONDITION_KEYS), min_size=1, max_size=most, unique=True)
        )
        block[operator] = {key: draw(one_or_list(st.sampled_from(pool))) for key in keys}
    return block


@st.composite
def statements(
    draw: st.DrawFn, kind: PolicyKind, edge_dates: bool = False, small: bool = False
) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Deny"]))}
    if draw(st.booleans()):
        statement["Sid"] = draw(st.sampled_from(["Read", "Write", "Guard", ""]))
    actions = TRUST_ACTIONS if kind is PolicyKind.TRUST else ACTIONS
    action_element = (
        "Action"
        if kind is PolicyKind.TRUST
        else draw(st.sampled_from(["Action", "Action", "NotAction"]))
    )
    statement[action_element] = draw(one_or_list(st.sampled_from(actions)))
    if kind is not PolicyKind.TRUST:
        resource_element = draw(st.sampled_from(["Resource", "Resource", "NotResource"]))
        statement[resource_element] = draw(one_or_list(st.sampled_from(RESOURCES)))
    if kind.takes_principal:
        principal_element = "Principal"
        if kind is PolicyKind.RESOURCE and statement["Effect"] == "Deny" and draw(st.booleans()):
            principal_element = "NotPrincipal"
        statement[principal_element] = draw(st.sampled_from(PRINCIPALS))
    if draw(st.booleans()):
        statement["Condition"] = draw(conditions(edge_dates, small))
    return statement


@st.composite
def documents(
    draw: st.DrawFn, kind: PolicyKind, edge_dates: bool = False, small: bool = False
) -> dict[str, Any]:
    """A document built from valid parts; `small` keeps it cheap to generate for layer stacks."""
    body = draw(
        st.lists(statements(kind, edge_dates, small), min_size=1, max_size=2 if small else 3)
    )
    seen: set[str] = set()
    for statement in body:  # Sids must be unique within a policy
        sid = statement.get("Sid")
        if sid:
            if sid in seen:
                del statement["Sid"]
            seen.add(sid)
    document: dict[str, Any] = {}
    version = draw(st.sampled_from(["2012-10-17", "2012-10-17", "2008-10-17", None]))
    if version is not None:
        document["Version"] = version
    if draw(st.booleans()):
        document["Id"] = "fuzz"
    document["Statement"] = body[0] if len(body) == 1 and draw(st.booleans()) else body
    return document


# -- mutations ---------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def nested(depth: int) -> Any:
    value: Any = "s3:GetObject"
    for level in range(depth):
        value = [value] if level % 2 else {"AWS": value}
    return value


ODD_CONSTANTS: list[Any] = [
    None, True, 0, -1, 1.5, "", " ", "NaN", "Infinity", "-0", "1e999", "\u0000", "${", "*",
    "\ud800", "İ", "ǅ", [], {}, [None], ["s3:*", None], [None, None], {"AWS": None}, {"AWS": []},
    {"AWS": [1]}, {"Nobody": "x"}, {"": ""}, [[]], [{}],
]  # fmt: skip
# Copies: a mutation may edit a drawn value in place, and editing a shared constant would make
# later examples differ from their replays (hypothesis's "inconsistent data generation").
ODD_VALUES: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(ODD_CONSTANTS), st.integers(1, 150).map(nested), JSON_VALUES
).map(copy.deepcopy)
ODD_NAMES = st.sampled_from(
    ["Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition",
     "Effect", "Sid", "Version", "Id", "Statement", "Actions", "effect", "", "StringEquals",
     "StringEqualsIfExistsIfExists", "ForAnyValue:", "IfExists", "NullIfExists",
     "ForAllValues:Null", "ForAnyValue:ForAllValues:StringLike", "Bool", "aws:SourceIp",
     "StringLikeIgnoreCase", "stringequals"]
)  # fmt: skip

Path = tuple[str | int, ...]


def all_paths(value: Any) -> list[Path]:
    """Every path into `value`, depth first. Iterative: mutations nest values hundreds deep."""
    paths: list[Path] = []
    pending: list[tuple[Path, Any]] = [((), value)]
    while pending:
        path, node = pending.pop()
        paths.append(path)
        children = (
            node.items()
            if isinstance(node, dict)
            else enumerate(node)
            if isinstance(node, list)
            else ()
        )
        pending.extend(((*path, key), child) for key, child in reversed(list(children)))
    return paths


def get(value: Any, path: Path) -> Any:
    for step in path:
        value = value[step]
    return value


@st.composite
def mutated(draw: st.DrawFn, document: dict[str, Any]) -> Any:
    """The document with a few random edits: replaced values, removed or added members."""
    result: Any = copy.deepcopy(document)
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(all_paths(result)))
        if not path:
            if draw(st.integers(0, 4)) == 0:
                result = draw(ODD_VALUES)
            continue
        parent = get(result, path[:-1])
        step = path[-1]
        edit = draw(st.sampled_from(["replace", "replace", "delete", "add", "rename"]))
        if edit == "replace":
            parent[step] = draw(ODD_VALUES)
        elif edit == "delete":
            del parent[step]
        elif isinstance(parent, dict):
            name = draw(ODD_NAMES)
            value = parent.pop(step) if edit == "rename" else draw(ODD_VALUES)
            parent[name] = value
        else:
            parent.append(draw(ODD_VALUES))
    return result


@st.composite
def serialized(draw: st.DrawFn, document: Any) -> Any:
    """The document as a caller might hand it over: text in any layout, bytes, or a mapping."""
    form = draw(st.sampled_from(["indented", "compact", "bytes", "bom", "mapping", "ascii"]))
    if form == "mapping" and isinstance(document, dict):
        return document
    if form == "compact":
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    if form == "ascii":
        return json.dumps(document)
    text = json.dumps(document, indent=2, ensure_ascii=False)
    if form == "bytes":
        return text.encode("utf-8", "surrogatepass")
    if form == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass")
    return text


# -- requests ----------------------------------------------------------------------------------

REQUEST_PRINCIPALS: list[Principal | None] = [
    Principal(USER_ARN),
    Principal(OTHER_USER_ARN),
    Principal(SESSION_ARN, PrincipalType.ASSUMED_ROLE, ROLE_ARN),
    Principal(FEDERATED_ARN, PrincipalType.FEDERATED_USER),
    Principal(ROOT_ARN, PrincipalType.ROOT),
    Principal("anonymous", PrincipalType.ANONYMOUS),
    None,
]
REQUEST_ACTIONS = [
    "s3:GetObject", "S3:GETOBJECT", "s3:PutObject", "iam:ListAccessKeys", "iam:GetUser",
    "iam:CreateUser", "ec2:DescribeInstances", "sts:AssumeRole", "sts:GetCallerIdentity",
    "kms:Decrypt", "s3getobject", "",
]  # fmt: skip
REQUEST_RESOURCES = [
    "*", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/home/alice/notes.txt",
    "arn:aws:s3:::b/*?$", "arn:aws:s3:::b/eng/x", "arn:aws:s3:::b/none/x", "arn:aws:s3:::b/a/x.txt",
    f"arn:aws:iam::{ACCOUNT}:user/alice", f"arn:aws:iam::{ACCOUNT}:user/Alice",
    f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-1", ROLE_ARN, "",
]  # fmt: skip
CONTEXT_KEYS = [*CONDITION_KEYS, "aws:UserName", "aws:principaltag/team", "AWS:SOURCEIP"]
CONTEXT_VALUES = [
    "alice", "Alice", "", "*", "true", "false", "3600", "10.5", "ten", "2026-06-01T12:00:00Z",
    "1780315200", "2026-06-01T13:00:00+01:00", "203.0.113.10", "2001:db8::5", "QmluYXJ5",
    ROLE_ARN, SESSION_ARN, "eng", "us-east-1", "a:b", "日本",
]  # fmt: skip


@st.composite
def requests(draw: st.DrawFn) -> Request:
    context = draw(
        st.dictionaries(
            st.sampled_from(CONTEXT_KEYS),
            st.one_of(
                st.sampled_from(CONTEXT_VALUES),
                st.lists(st.sampled_from(CONTEXT_VALUES), max_size=3),
            ),
            max_size=6,
        )
    )
    return Request(
        draw(st.sampled_from(REQUEST_ACTIONS)),
        draw(st.sampled_from(REQUEST_RESOURCES)),
        context,
        draw(st.sampled_from(REQUEST_PRINCIPALS)),
    )


def decide_both_ways(request: Request, policies: Policies) -> Outcome:
    """Decide fast and with an explanation; they must agree, and the explanation must be sound."""
    outcome = evaluate(request, policies)
    explanation = explain(request, policies)
    assert explanation.outcome is outcome, (
        f"evaluate says {outcome.value}, explain says {explanation.outcome.value}\n"
        + explanation.render()
    )
    if outcome is Outcome.EXPLICIT_DENY:
        assert explanation.matched, "an explicit deny must name the Deny statement"
        assert all(ref.effect is Effect.DENY for ref in explanation.matched)
    if outcome is Outcome.IMPLICIT_DENY:
        assert not explanation.matched
        assert all(miss.stage in {"action", "resource", "principal", "condition"}
                   for miss in explanation.nearest)  # fmt: skip
    # What a user looks at must be producible for every decision.
    assert explanation.render().startswith(outcome.value)
    assert explanation.to_dict()["decision"] == outcome.value
    message = explanation.denial_message(USER_ARN, request.action, request.resource)
    assert request.action in message
    return outcome


def layered(policy: Policy) -> Policies:
    """Policies where `policy` sits in its own layer, and the other layers let requests through."""
    allow_all = PolicySet(
        [
            parse_policy(
                {
                    "Version": "2012-10-17",
                    "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"},
                },
                kind=PolicyKind.IDENTITY,
                policy_id="allow-all",
            )
        ]
    )
    compiled = PolicySet([policy])
    if policy.kind is PolicyKind.IDENTITY:
        return Policies(identity=compiled)
    if policy.kind is PolicyKind.BOUNDARY:
        return Policies(identity=allow_all, boundary=compiled)
    if policy.kind is PolicyKind.SESSION:
        return Policies(identity=allow_all, session=compiled)
    if policy.kind is PolicyKind.SCP:
        return Policies(identity=allow_all, scps=(compiled,))
    return Policies(resource=compiled)  # resource and trust policies


def exercise(policy: Policy, request_list: list[Request]) -> None:
    policies = layered(policy)
    for request in request_list:
        decide_both_ways(request, policies)


# -- the fuzz tests ----------------------------------------------------------------------------


@FUZZ_SETTINGS
@given(document=st.binary(max_size=300), options=PARSE_OPTIONS)
def test_arbitrary_bytes_raise_only_policy_error(document: bytes, options: dict[str, Any]) -> None:
    if parse_or_reject(document, options) is not None:
        assert_strict_json(document.decode("utf-8-sig"))


@FUZZ_SETTINGS
@given(document=st.text(max_size=300), options=PARSE_OPTIONS)
def test_arbitrary_text_raises_only_policy_error(document: str, options: dict[str, Any]) -> None:
    policy = parse_or_reject(document, options)
    if policy is not None:
        assert_strict_json(document)


@FUZZ_SETTINGS
@given(value=JSON_VALUES, options=PARSE_OPTIONS, as_text=st.booleans())
def test_arbitrary_json_values_raise_only_policy_error(
    value: Any, options: dict[str, Any], as_text: bool
) -> None:
    document = json.dumps(value) if as_text else value
    policy = parse_or_reject(document, options)
    # A random JSON value is a policy only if it has a Statement.
    assert policy is None or (isinstance(value, dict) and "Statement" in value)


@FUZZ_SETTINGS
@given(data=st.data(), options=PARSE_OPTIONS)
def test_mutated_policies_raise_only_policy_error_and_accepted_ones_evaluate(
    data: st.DataObject, options: dict[str, Any]
) -> None:
    base = data.draw(documents(options["kind"], edge_dates=True), label="base document")
    document = data.draw(serialized(data.draw(mutated(base), label="mutated")), label="as given")
    policy = parse_or_reject(document, options)
    event("accepted" if policy is not None else "refused")
    if policy is None:
        return
    if isinstance(document, str):
        assert_strict_json(document)
        assert policy.text == document
    assert policy.kind is options["kind"]
    assert policy.statements
    exercise(policy, data.draw(st.lists(requests(), min_size=1, max_size=4), label="requests"))


@FUZZ_SETTINGS
@given(data=st.data(), kind=st.sampled_from(list(PolicyKind)))
def test_plausible_policies_are_accepted_and_evaluate(
    data: st.DataObject, kind: PolicyKind
) -> None:
    """Documents built only from valid parts parse; deciding requests with them never raises."""
    document = data.draw(documents(kind), label="document")
    policy = parse_policy(json.dumps(document, indent=2), kind=kind, policy_id="fuzz")
    assert len(policy.statements) == (
        len(document["Statement"]) if isinstance(document["Statement"], list) else 1
    )
    exercise(policy, data.draw(st.lists(requests(), min_size=1, max_size=4), label="requests"))


# -- explain agrees with evaluate, whole layer stacks ------------------------------------------


def standard(statement: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statement}


# Policies found everywhere (FullAWSAccess and the like): with them in the mix, requests often get
# past a layer, so the later layers and every SCP level are reached.
STANDARD_DOCUMENTS: dict[PolicyKind, list[dict[str, Any]]] = {
    kind: [
        standard({"Effect": "Allow", "Action": "*", "Resource": "*"}),
        standard({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
        standard({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
    ]
    for kind in (PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION, PolicyKind.SCP)
}
STANDARD_DOCUMENTS[PolicyKind.RESOURCE] = [
    standard({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
    standard({"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "s3:*", "Resource": "*"}),
    standard({"Effect": "Allow", "Principal": {"AWS": ROLE_ARN}, "Action": "*", "Resource": "*"}),
]


@st.composite
def policy_sets(
    draw: st.DrawFn, kind: PolicyKind, min_size: int = 0, max_size: int = 1
) -> PolicySet:
    chosen = draw(st.lists(documents(kind, small=True), min_size=0, max_size=max_size))
    if len(chosen) < min_size or draw(st.booleans()):
        chosen.append(draw(st.sampled_from(STANDARD_DOCUMENTS[kind])))
    parsed = [
        parse_policy(document, kind=kind, policy_id=f"{kind.value}-{number}")
        for number, document in enumerate(chosen)
    ]
    return PolicySet(parsed)


def standard_set(kind: PolicyKind) -> st.SearchStrategy[PolicySet]:
    """One standard policy alone in its layer, compiled afresh."""
    return st.sampled_from(STANDARD_DOCUMENTS[kind]).map(
        lambda document: PolicySet([parse_policy(document, kind=kind, policy_id="standard")])
    )


def some_layer(kind: PolicyKind, max_size: int = 1) -> st.SearchStrategy[PolicySet]:
    """Random policies, often with a standard one, or a standard one alone (a layer that a
    request gets through, so that the layers after it are reached)."""
    return st.one_of(policy_sets(kind, min_size=1, max_size=max_size), standard_set(kind))


@st.composite
def layer_stacks(draw: st.DrawFn) -> Policies:
    """Every layer, each often absent or permissive, so that each layer gets to decide."""

    def maybe(kind: PolicyKind) -> PolicySet | None:
        return draw(st.one_of(st.none(), st.none(), some_layer(kind)))

    scps = draw(
        st.one_of(
            st.none(),
            st.lists(some_layer(PolicyKind.SCP), min_size=1, max_size=3).map(tuple),
        )
    )
    identity = draw(
        st.one_of(
            standard_set(PolicyKind.IDENTITY),
            some_layer(PolicyKind.IDENTITY, max_size=2),
            policy_sets(PolicyKind.IDENTITY),
        )
    )
    return Policies(
        identity=identity,
        boundary=maybe(PolicyKind.BOUNDARY),
        session=maybe(PolicyKind.SESSION),
        resource=maybe(PolicyKind.RESOURCE),
        scps=scps,
    )


@settings(FUZZ_SETTINGS, max_examples=250)
@given(policies=layer_stacks(), request_list=st.lists(requests(), min_size=1, max_size=6))
def test_explain_outcome_always_equals_evaluate(
    policies: Policies, request_list: list[Request]
) -> None:
    for request in request_list:
        decide_both_ways(request, policies)


@settings(FUZZ_SETTINGS, max_examples=150)
@given(
    levels=st.lists(some_layer(PolicyKind.SCP), min_size=2, max_size=4),
    identity=st.one_of(standard_set(PolicyKind.IDENTITY), some_layer(PolicyKind.IDENTITY, 2)),
    request_list=st.lists(requests(), min_size=1, max_size=6),
)
def test_explain_outcome_equals_evaluate_across_scp_levels(
    levels: list[PolicySet], identity: PolicySet, request_list: list[Request]
) -> None:
    """The SCP layer is the one layer made of several policy sets, one per OU level; each level
    is a gate of its own, on both paths."""
    policies = Policies(identity=identity, scps=tuple(levels))
    for request in request_list:
        decide_both_ways(request, policies)


# -- strict JSON -------------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def assert_strict_json(text: str) -> None:
    """An accepted document must be strict JSON (RFC 8259): no NaN, no Infinity, ASCII digits."""
    try:
        json.loads(text, parse_constant=_reject_constant)
    except ValueError as error:
        raise AssertionError(f"accepted a document that is not JSON: {error}") from error


VALID = (
    '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", '
    '"Resource": "*", "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": VALUE}}}}'
)


def test_the_strict_json_template_is_valid() -> None:
    policy = parse_policy(VALID.replace("VALUE", "3600"))
    assert policy.statements[0].conditions[0].values == ("3600",)


@pytest.mark.parametrize(
    "value",
    ["NaN", "Infinity", "-Infinity", "01", "+1", ".5", "1.", "0x10", "1\u0662", "\u0663\u0666",
     "1.\u0665", "1e\u0662", "'3600'", "3600,", "[3600,]", "3600 /* comment */", "tru"],
)  # fmt: skip
def test_documents_that_are_not_strict_json_are_syntax_errors(value: str) -> None:
    """IAM answers "Syntax errors in policy." for anything that is not one strict JSON value."""
    with pytest.raises(PolicyError) as raised:
        parse_policy(VALID.replace("VALUE", value))
    assert raised.value.message.startswith("Syntax errors in policy.")
    assert raised.value.code == "MalformedPolicyDocument"


# -- inputs found by hand that must end in PolicyError -----------------------------------------


def test_number_with_thousands_of_digits_is_refused_or_works() -> None:
    """Python refuses to read integers past 4300 digits; the engine must not let that escape."""
    text = VALID.replace("VALUE", "1" * 5000)
    try:
        policy = parse_policy(text)
    except PolicyError as error:
        assert error.message.startswith("Syntax errors in policy.")
        return
    except Exception as error:
        raise AssertionError(f"raised {type(error).__name__}: {error}"[:300]) from error
    # Accepting it is fine too, as long as the policy then works.
    context = {"aws:MultiFactorAuthAge": "3600"}
    decide_both_ways(Request("s3:GetObject", "*", context), Policies(PolicySet([policy])))


@pytest.mark.parametrize("depth", [65, 1000, 100_000])
def test_deeply_nested_text_is_a_syntax_error(depth: int) -> None:
    text = '{"Version": "2012-10-17", "Statement": ' + "[" * depth + "]" * depth + "}"
    with pytest.raises(PolicyError) as raised:
        parse_policy(text)
    assert raised.value.message.startswith("Syntax errors in policy.")


def test_deeply_nested_mapping_is_a_policy_error() -> None:
    """A mapping handed over directly is no different: too deep is a syntax error, not a crash."""
    statement: Any = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    for _ in range(5000):
        statement = {"Statement": statement}
    try:
        parse_policy({"Version": "2012-10-17", "Statement": statement})
    except PolicyError as error:
        assert error.message.startswith("Syntax errors in policy.")
    except Exception as error:
        raise AssertionError(f"raised {type(error).__name__}: {error}"[:300]) from error
    else:
        raise AssertionError("a 5000-deep document was accepted")


NOT_DOCUMENTS: dict[str, Any] = {
    "none": None,
    "int": 42,
    "float": 1.5,
    "empty-list": [],
    "list": ["Statement"],
    "empty-text": "",
    "blank-text": "   ",
    "empty-bytes": b"",
    "not-utf8": b"\xff\xfe",
    "bytearray": bytearray(b"{}"),
    "object": object(),
}


@pytest.mark.parametrize("document", NOT_DOCUMENTS.values(), ids=NOT_DOCUMENTS.keys())
def test_values_that_are_not_documents_are_policy_errors(document: Any) -> None:
    with pytest.raises(PolicyError) as raised:
        parse_policy(document)
    assert raised.value.message.startswith("Syntax errors in policy.")


@pytest.mark.parametrize(
    "mapping",
    [{"Version": float("nan")}, {"Statement": {1, 2}}, {("tuple", "key"): 1}],
    ids=["nan", "set", "tuple-key"],
)
def test_mappings_json_cannot_carry_are_policy_errors(mapping: Any) -> None:
    with pytest.raises(PolicyError) as raised:
        parse_policy(mapping)
    assert raised.value.message.startswith("Syntax errors in policy.")
