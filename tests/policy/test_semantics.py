"""One focused test (or a small table) per rule of AWS's policy evaluation semantics.

Each rule comes from the AWS IAM User Guide pages on policy evaluation logic, the JSON policy
elements, condition operators and policy variables; the section numbers (1.1-1.7) follow the
project's condensed reference. Everything goes through the public API (`parse_policy`,
`PolicySet`, `Policies`, `Request`, `Principal`, `evaluate`, `explain`), and every decision is
taken both ways: `evaluate` (the fast path) and `explain` must give the same outcome.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from stockade.policy import (
    SIZE_LIMITS,
    Effect,
    Layer,
    Outcome,
    Policies,
    PolicyError,
    PolicyKind,
    PolicySet,
    Principal,
    PrincipalType,
    Request,
    count_policy_characters,
    evaluate,
    explain,
    parse_policy,
)

ACCOUNT = "111122223333"
ALICE_ARN = f"arn:aws:iam::{ACCOUNT}:user/alice"
BOB_ARN = f"arn:aws:iam::{ACCOUNT}:user/bob"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/Dev"
SESSION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/Dev/session-1"
FEDERATED_ARN = f"arn:aws:sts::{ACCOUNT}:federated-user/carol"
ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"

ALICE = Principal(ALICE_ARN, PrincipalType.USER)
BOB = Principal(BOB_ARN, PrincipalType.USER)
SESSION = Principal(SESSION_ARN, PrincipalType.ASSUMED_ROLE, ROLE_ARN)
FEDERATED = Principal(FEDERATED_ARN, PrincipalType.FEDERATED_USER)
ROOT = Principal(ROOT_ARN, PrincipalType.ROOT)

OBJECT = "arn:aws:s3:::example-bucket/docs/readme.txt"
NEW_USER = f"arn:aws:iam::{ACCOUNT}:user/bob"

Document = dict[str, Any]
Context = dict[str, Any]


# -- building blocks ---------------------------------------------------------------------------


def allow(**elements: Any) -> Document:
    return {"Effect": "Allow", **elements}


def deny(**elements: Any) -> Document:
    return {"Effect": "Deny", **elements}


ALLOW_ALL = allow(Action="*", Resource="*")


def document(*statements: Document, version: str | None = "2012-10-17") -> Document:
    result: Document = {} if version is None else {"Version": version}
    result["Statement"] = list(statements)
    return result


def policy_set(
    *statements: Document,
    kind: PolicyKind = PolicyKind.IDENTITY,
    version: str | None = "2012-10-17",
    policy_id: str = "policy",
) -> PolicySet:
    text = json.dumps(document(*statements, version=version), indent=2)
    return PolicySet([parse_policy(text, kind=kind, policy_id=policy_id)])


def request(
    action: str = "s3:GetObject",
    resource: str = OBJECT,
    context: Context | None = None,
    principal: Principal | None = ALICE,
) -> Request:
    return Request(action, resource, dict(context or {}), principal)


def decide(req: Request, policies: Policies) -> Outcome:
    """The decision, taken fast and with an explanation; both must agree."""
    outcome = evaluate(req, policies)
    explanation = explain(req, policies)
    assert explanation.outcome is outcome, (
        f"evaluate: {outcome.value}; explain: {explanation.outcome.value}\n{explanation.render()}"
    )
    return outcome


def identity_only(*statements: Document, version: str | None = "2012-10-17") -> Policies:
    return Policies(identity=policy_set(*statements, version=version))


# == 1.1 Decision algorithm =====================================================================


def test_no_policy_means_implicit_deny() -> None:
    assert decide(request(), Policies()) is Outcome.IMPLICIT_DENY
    assert decide(request(), identity_only(ALLOW_ALL)) is Outcome.ALLOWED


DENY_GET = deny(Action="s3:GetObject", Resource="*")
RESOURCE_ALLOW_ALL = allow(Principal="*", Action="*", Resource="*")
RESOURCE_DENY_GET = deny(Principal="*", Action="s3:GetObject", Resource="*")


def full_stack(deny_in: Layer | None) -> Policies:
    """Every layer present and allowing everything; `deny_in` also denies s3:GetObject."""

    def statements(layer: Layer) -> list[Document]:
        if layer is Layer.RESOURCE:
            return [RESOURCE_ALLOW_ALL] + ([RESOURCE_DENY_GET] if deny_in is layer else [])
        return [ALLOW_ALL] + ([DENY_GET] if deny_in is layer else [])

    return Policies(
        identity=policy_set(*statements(Layer.IDENTITY)),
        boundary=policy_set(*statements(Layer.BOUNDARY), kind=PolicyKind.BOUNDARY),
        session=policy_set(*statements(Layer.SESSION), kind=PolicyKind.SESSION),
        resource=policy_set(*statements(Layer.RESOURCE), kind=PolicyKind.RESOURCE),
        scps=(policy_set(*statements(Layer.SCP), kind=PolicyKind.SCP),),
    )


@pytest.mark.parametrize("layer", list(Layer), ids=lambda layer: layer.value)
def test_an_explicit_deny_in_any_layer_beats_allows_everywhere(layer: Layer) -> None:
    req = request(principal=SESSION)
    assert decide(req, full_stack(None)) is Outcome.ALLOWED
    assert decide(req, full_stack(layer)) is Outcome.EXPLICIT_DENY
    assert explain(req, full_stack(layer)).decided_by is layer
    # Only the denied action is affected.
    assert decide(request("s3:PutObject", principal=SESSION), full_stack(layer)) is Outcome.ALLOWED


def test_deny_beats_allow_within_one_policy() -> None:
    policies = identity_only(ALLOW_ALL, DENY_GET)
    assert decide(request(), policies) is Outcome.EXPLICIT_DENY
    assert decide(request("s3:PutObject"), policies) is Outcome.ALLOWED


def test_scp_without_a_matching_allow_filters_identity_allow() -> None:
    policies = Policies(
        identity=policy_set(ALLOW_ALL),
        scps=(policy_set(allow(Action="ec2:*", Resource="*"), kind=PolicyKind.SCP),),
    )
    assert decide(request("ec2:RunInstances", "*"), policies) is Outcome.ALLOWED
    assert decide(request(), policies) is Outcome.IMPLICIT_DENY
    assert explain(request(), policies).decided_by is Layer.SCP


def test_scp_allow_grants_nothing_by_itself() -> None:
    policies = Policies(scps=(policy_set(ALLOW_ALL, kind=PolicyKind.SCP),))
    assert decide(request(), policies) is Outcome.IMPLICIT_DENY
    assert explain(request(), policies).decided_by is Layer.IDENTITY


def test_every_scp_level_of_the_ou_path_must_allow() -> None:
    full_access = policy_set(ALLOW_ALL, kind=PolicyKind.SCP, policy_id="FullAWSAccess")
    s3_only = policy_set(allow(Action="s3:*", Resource="*"), kind=PolicyKind.SCP)
    identity = policy_set(ALLOW_ALL)
    for levels in [
        (full_access, s3_only),
        (s3_only, full_access),
        (full_access, full_access, s3_only),
    ]:
        policies = Policies(identity=identity, scps=levels)
        assert decide(request("s3:GetObject"), policies) is Outcome.ALLOWED
        assert decide(request("iam:CreateUser", NEW_USER), policies) is Outcome.IMPLICIT_DENY
        explanation = explain(request("iam:CreateUser", NEW_USER), policies)
        assert explanation.decided_by is Layer.SCP


def test_an_explicit_deny_at_any_scp_level_denies() -> None:
    full_access = policy_set(ALLOW_ALL, kind=PolicyKind.SCP)
    guard = policy_set(ALLOW_ALL, DENY_GET, kind=PolicyKind.SCP)
    policies = Policies(identity=policy_set(ALLOW_ALL), scps=(full_access, guard))
    assert decide(request(), policies) is Outcome.EXPLICIT_DENY


def test_root_user_is_allowed_without_any_policy() -> None:
    assert (
        decide(request("iam:CreateUser", NEW_USER, principal=ROOT), Policies()) is Outcome.ALLOWED
    )
    assert decide(request(principal=ROOT), Policies()) is Outcome.ALLOWED


def test_root_user_is_still_bound_by_scps_and_resource_policy_denies() -> None:
    req = request(principal=ROOT)
    scp_deny = Policies(scps=(policy_set(ALLOW_ALL, DENY_GET, kind=PolicyKind.SCP),))
    assert decide(req, scp_deny) is Outcome.EXPLICIT_DENY
    scp_without_allow = Policies(
        scps=(policy_set(allow(Action="ec2:*", Resource="*"), kind=PolicyKind.SCP),)
    )
    assert decide(req, scp_without_allow) is Outcome.IMPLICIT_DENY
    resource_deny = Policies(resource=policy_set(RESOURCE_DENY_GET, kind=PolicyKind.RESOURCE))
    assert decide(req, resource_deny) is Outcome.EXPLICIT_DENY
    assert decide(request("s3:PutObject", principal=ROOT), resource_deny) is Outcome.ALLOWED


def test_get_caller_identity_needs_no_permission_and_cannot_be_denied() -> None:
    """STS API Reference, GetCallerIdentity: "No permissions are required to perform this
    operation. If an administrator attaches a policy to your identity that explicitly denies
    access to the sts:GetCallerIdentity action, you can still perform this operation." """
    req = request("sts:GetCallerIdentity", "*")
    assert decide(req, Policies()) is Outcome.ALLOWED
    assert decide(req, identity_only(deny(Action="*", Resource="*"))) is Outcome.ALLOWED


# -- resource-based policies: who is named decides which implicit denies still apply -----------

BOUNDARY_OTHER = policy_set(allow(Action="ec2:*", Resource="*"), kind=PolicyKind.BOUNDARY)
SESSION_OTHER = policy_set(allow(Action="ec2:*", Resource="*"), kind=PolicyKind.SESSION)
IDENTITY_ALLOW = policy_set(ALLOW_ALL)


def resource_policy(principal_element: Any) -> PolicySet:
    return policy_set(
        allow(Principal=principal_element, Action="s3:GetObject", Resource=OBJECT),
        kind=PolicyKind.RESOURCE,
    )


RESOURCE_PRINCIPAL_CASES = [
    # (caller, Principal element, identity, boundary, session, expected)
    pytest.param(ALICE, {"AWS": ALICE_ARN}, None, None, None, Outcome.ALLOWED,
                 id="user-arn-needs-no-identity-allow"),
    pytest.param(ALICE, {"AWS": ALICE_ARN}, None, BOUNDARY_OTHER, None, Outcome.ALLOWED,
                 id="user-arn-bypasses-boundary"),
    pytest.param(SESSION, {"AWS": ROLE_ARN}, None, None, None, Outcome.ALLOWED,
                 id="role-arn-bypasses-identity"),
    pytest.param(SESSION, {"AWS": ROLE_ARN}, None, BOUNDARY_OTHER, None, Outcome.IMPLICIT_DENY,
                 id="role-arn-still-bound-by-boundary"),
    pytest.param(SESSION, {"AWS": ROLE_ARN}, None, None, SESSION_OTHER, Outcome.IMPLICIT_DENY,
                 id="role-arn-still-bound-by-session-policy"),
    pytest.param(SESSION, {"AWS": SESSION_ARN}, None, BOUNDARY_OTHER, SESSION_OTHER,
                 Outcome.ALLOWED, id="session-arn-bypasses-everything"),
    pytest.param(FEDERATED, {"AWS": FEDERATED_ARN}, None, None, None, Outcome.ALLOWED,
                 id="federated-user-arn-bypasses-everything"),
    pytest.param(ALICE, {"AWS": ACCOUNT}, None, None, None, Outcome.IMPLICIT_DENY,
                 id="account-delegates-to-identity"),
    pytest.param(ALICE, {"AWS": ACCOUNT}, IDENTITY_ALLOW, None, None, Outcome.ALLOWED,
                 id="account-with-identity-allow"),
    pytest.param(ALICE, {"AWS": ACCOUNT}, IDENTITY_ALLOW, BOUNDARY_OTHER, None,
                 Outcome.IMPLICIT_DENY, id="account-with-identity-allow-but-boundary"),
    pytest.param(ALICE, {"AWS": ROOT_ARN}, None, None, None, Outcome.IMPLICIT_DENY,
                 id="account-root-arn-delegates-to-identity"),
    pytest.param(ALICE, "*", None, None, None, Outcome.ALLOWED, id="principal-star"),
    pytest.param(ALICE, {"AWS": "*"}, None, BOUNDARY_OTHER, None, Outcome.ALLOWED,
                 id="aws-star"),
    pytest.param(None, "*", None, None, None, Outcome.ALLOWED, id="principal-star-anonymous"),
    pytest.param(ALICE, {"AWS": BOB_ARN}, None, None, None, Outcome.IMPLICIT_DENY,
                 id="another-user-named"),
    pytest.param(ALICE, {"AWS": ROLE_ARN}, None, None, None, Outcome.IMPLICIT_DENY,
                 id="a-role-named-but-caller-is-a-user"),
    pytest.param(ALICE, {"Service": "ec2.amazonaws.com"}, None, None, None,
                 Outcome.IMPLICIT_DENY, id="service-principal-is-not-the-user"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("caller", "principal_element", "identity", "boundary", "session", "expected"),
    RESOURCE_PRINCIPAL_CASES,
)
def test_resource_policy_principal_rules(
    caller: Principal | None,
    principal_element: Any,
    identity: PolicySet | None,
    boundary: PolicySet | None,
    session: PolicySet | None,
    expected: Outcome,
) -> None:
    policies = Policies(
        identity=identity or PolicySet(),
        boundary=boundary,
        session=session,
        resource=resource_policy(principal_element),
    )
    assert decide(request(principal=caller), policies) is expected
    # The resource policy covers this object only: any other object goes back to the identity.
    other = request(resource="arn:aws:s3:::other-bucket/x", principal=caller)
    if identity is None:
        assert decide(other, policies) is Outcome.IMPLICIT_DENY


def test_account_id_principal_is_stored_as_the_account_root_arn() -> None:
    policy = parse_policy(
        document(allow(Principal={"AWS": ACCOUNT}, Action="s3:*", Resource="*")),
        kind=PolicyKind.RESOURCE,
    )
    assert policy.statements[0].principals == (("AWS", ROOT_ARN),)


def test_an_explicit_deny_in_the_boundary_beats_a_resource_policy_naming_the_user() -> None:
    policies = Policies(
        resource=resource_policy({"AWS": ALICE_ARN}),
        boundary=policy_set(ALLOW_ALL, DENY_GET, kind=PolicyKind.BOUNDARY),
    )
    assert decide(request(), policies) is Outcome.EXPLICIT_DENY


def test_deny_with_not_principal_denies_everyone_except_those_listed() -> None:
    policies = Policies(
        resource=policy_set(
            RESOURCE_ALLOW_ALL,
            deny(NotPrincipal={"AWS": [ALICE_ARN, ROOT_ARN]}, Action="s3:*", Resource="*"),
            kind=PolicyKind.RESOURCE,
        )
    )
    assert decide(request(principal=ALICE), policies) is Outcome.ALLOWED
    assert decide(request(principal=BOB), policies) is Outcome.EXPLICIT_DENY
    assert decide(request(principal=None), policies) is Outcome.EXPLICIT_DENY
    assert decide(request(principal=SESSION), policies) is Outcome.EXPLICIT_DENY


def test_not_principal_exempts_a_role_session_listed_by_its_session_arn() -> None:
    policies = Policies(
        resource=policy_set(
            RESOURCE_ALLOW_ALL,
            deny(NotPrincipal={"AWS": [SESSION_ARN, ROLE_ARN, ROOT_ARN]}, Action="*", Resource="*"),
            kind=PolicyKind.RESOURCE,
        )
    )
    assert decide(request(principal=SESSION), policies) is Outcome.ALLOWED
    other_session = Principal(
        f"arn:aws:sts::{ACCOUNT}:assumed-role/Dev/session-2", PrincipalType.ASSUMED_ROLE, ROLE_ARN
    )
    assert decide(request(principal=other_session), policies) is Outcome.EXPLICIT_DENY


# -- boundaries and session policies ---------------------------------------------------------


def test_permissions_boundary_never_grants_by_itself() -> None:
    policies = Policies(boundary=policy_set(ALLOW_ALL, kind=PolicyKind.BOUNDARY))
    assert decide(request(), policies) is Outcome.IMPLICIT_DENY
    assert explain(request(), policies).decided_by is Layer.IDENTITY


def test_permissions_boundary_intersects_with_identity_policies() -> None:
    policies = Policies(
        identity=policy_set(allow(Action="s3:*", Resource="*")),
        boundary=policy_set(allow(Action="s3:GetObject", Resource="*"), kind=PolicyKind.BOUNDARY),
    )
    assert decide(request("s3:GetObject"), policies) is Outcome.ALLOWED
    assert decide(request("s3:PutObject"), policies) is Outcome.IMPLICIT_DENY
    assert explain(request("s3:PutObject"), policies).decided_by is Layer.BOUNDARY


def test_session_policy_never_grants_by_itself() -> None:
    policies = Policies(session=policy_set(ALLOW_ALL, kind=PolicyKind.SESSION))
    assert decide(request(principal=SESSION), policies) is Outcome.IMPLICIT_DENY


def test_session_policy_intersects_with_role_permissions() -> None:
    policies = Policies(
        identity=policy_set(allow(Action="s3:*", Resource="*")),
        session=policy_set(allow(Action="s3:GetObject", Resource="*"), kind=PolicyKind.SESSION),
    )
    assert decide(request("s3:GetObject", principal=SESSION), policies) is Outcome.ALLOWED
    assert decide(request("s3:PutObject", principal=SESSION), policies) is Outcome.IMPLICIT_DENY
    explanation = explain(request("s3:PutObject", principal=SESSION), policies)
    assert explanation.decided_by is Layer.SESSION


def test_role_session_without_session_policy_uses_role_permissions() -> None:
    assert decide(request(principal=SESSION), identity_only(ALLOW_ALL)) is Outcome.ALLOWED


def test_federated_user_without_session_policy_is_denied() -> None:
    without = identity_only(ALLOW_ALL)
    assert decide(request(principal=FEDERATED), without) is Outcome.IMPLICIT_DENY
    assert explain(request(principal=FEDERATED), without).decided_by is Layer.SESSION
    with_session = Policies(
        identity=policy_set(ALLOW_ALL), session=policy_set(ALLOW_ALL, kind=PolicyKind.SESSION)
    )
    assert decide(request(principal=FEDERATED), with_session) is Outcome.ALLOWED


# == 1.2 Statement elements ====================================================================


def test_statement_may_be_one_object_or_a_list() -> None:
    as_object = parse_policy({"Version": "2012-10-17", "Statement": ALLOW_ALL})
    as_list = parse_policy({"Version": "2012-10-17", "Statement": [ALLOW_ALL]})
    for policy in (as_object, as_list):
        assert decide(request(), Policies(identity=PolicySet([policy]))) is Outcome.ALLOWED


ACTION_CASES = [
    ("iam:ListAccessKeys", "IAM:listaccesskeys", True),
    ("IAM:LISTACCESSKEYS", "iam:ListAccessKeys", True),
    ("iam:*AccessKey*", "iam:ListAccessKeys", True),
    ("iam:*AccessKey*", "iam:ListUsers", False),
    ("iam:*accesskey*", "IAM:DeleteAccessKey", True),
    ("iam:Get?ser", "iam:GetUser", True),
    ("iam:Get?ser", "iam:GetUsers", False),
    ("iam:?etUser", "iam:getuser", True),
    ("s3:Get*", "s3:PutObject", False),
    ("s3:*", "s3x:GetObject", False),
    ("*", "kms:Decrypt", True),
    ("s3:Get.bject", "s3:GetObject", False),
    ("*:GetObject", "S3:getobject", True),
    ("*:GetObject", "s3:PutObject", False),
]


@pytest.mark.parametrize(
    ("pattern", "action", "expected"), ACTION_CASES, ids=[f"{p}~{a}" for p, a, _ in ACTION_CASES]
)
def test_action_matching_is_case_insensitive_with_star_and_question_mark(
    pattern: str, action: str, expected: bool
) -> None:
    policies = identity_only(allow(Action=pattern, Resource="*"))
    expected_outcome = Outcome.ALLOWED if expected else Outcome.IMPLICIT_DENY
    assert decide(request(action, "*"), policies) is expected_outcome


RESOURCE_CASES = [
    (f"arn:aws:iam::{ACCOUNT}:user/alice", f"arn:aws:iam::{ACCOUNT}:user/Alice", False),
    (f"arn:aws:iam::{ACCOUNT}:user/Alice", f"arn:aws:iam::{ACCOUNT}:user/Alice", True),
    ("arn:aws:s3:::Example-bucket/*", OBJECT, False),
    ("arn:aws:s3:::example-bucket/docs/??????.txt", OBJECT, True),
    ("arn:aws:s3:::example-bucket/docs/?????.txt", OBJECT, False),
    ("arn:aws:iam::*:user/alice", f"arn:aws:iam::{ACCOUNT}:user/alice", True),
    (f"arn:aws:iam::{ACCOUNT}:user/*", f"arn:aws:iam::{ACCOUNT}:user/division/team/alice", True),
    (f"arn:aws:iam::{ACCOUNT}:user/division/*", f"arn:aws:iam::{ACCOUNT}:user/other/alice", False),
    (f"arn:aws:ec2:*:{ACCOUNT}:instance/*", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-1", True),
    ("arn:aws:ec2:*", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-1", True),
    ("arn:aws:ec2:us-*", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-1", True),
    (f"arn:aws:ec2:*-1:{ACCOUNT}:instance/*",
     f"arn:aws:ec2:us:west-1:{ACCOUNT}:instance/i-1", False),
    (f"arn:aws:ec2:us-east-?:{ACCOUNT}:instance/*",
     f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i", True),
    (f"arn:aws:ec2:us-east?1:{ACCOUNT}:instance/*",
     f"arn:aws:ec2:us-east:1:{ACCOUNT}:instance/i", False),
    ("arn:aws:s3:::example-bucket/docs/readme.tx?", OBJECT, True),
    ("arn:aws:s3:::example-bucket/docs/readme.t", OBJECT, False),
    ("arn:aws:s3:::example-bucket/docs/readme(txt|md)",
     "arn:aws:s3:::example-bucket/docs/readmetxt", False),
    ("arn:aws:s3:::example-bucket/docs/r.adme.txt", OBJECT, False),
    ("arn:aws:s3:::example-bucket/*", "arn:aws:s3:::example-bucket", False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"),
    RESOURCE_CASES,
    ids=[f"{p}~{r}" for p, r, _ in RESOURCE_CASES],
)
def test_resource_matching_is_case_sensitive_and_segment_wise(
    pattern: str, resource: str, expected: bool
) -> None:
    expected_outcome = Outcome.ALLOWED if expected else Outcome.IMPLICIT_DENY
    plain = identity_only(allow(Action="*", Resource=pattern))
    assert decide(request(resource=resource), plain) is expected_outcome
    # The same pattern in a statement with a condition is matched by another path of the engine.
    conditional = identity_only(
        allow(Action="*", Resource=[pattern], Condition={"Null": {"aws:username": "true"}})
    )
    assert decide(request(resource=resource), conditional) is expected_outcome


def test_resource_star_matches_every_resource() -> None:
    policies = identity_only(allow(Action="*", Resource="*"))
    for resource in ["*", OBJECT, "", "not an arn", "arn:aws:iam::1:user/a:b/c"]:
        assert decide(request(resource=resource), policies) is Outcome.ALLOWED


def test_allow_with_not_action_grants_every_other_action() -> None:
    policies = identity_only(allow(NotAction="iam:*", Resource="*"))
    assert decide(request("s3:GetObject"), policies) is Outcome.ALLOWED
    assert decide(request("ec2:RunInstances", "*"), policies) is Outcome.ALLOWED
    assert decide(request("iam:CreateUser", NEW_USER), policies) is Outcome.IMPLICIT_DENY
    assert decide(request("IAM:createuser", NEW_USER), policies) is Outcome.IMPLICIT_DENY


def test_deny_with_not_action_denies_every_other_action() -> None:
    policies = identity_only(ALLOW_ALL, deny(NotAction=["iam:*", "sts:*"], Resource="*"))
    assert decide(request("s3:GetObject"), policies) is Outcome.EXPLICIT_DENY
    assert decide(request("iam:CreateUser", NEW_USER), policies) is Outcome.ALLOWED
    assert decide(request("sts:AssumeRole", ROLE_ARN), policies) is Outcome.ALLOWED


def test_not_action_is_still_scoped_by_resource() -> None:
    policies = identity_only(allow(NotAction="s3:DeleteBucket", Resource="arn:aws:s3:::*"))
    # s3:ListAllMyBuckets only accepts Resource "*", which arn:aws:s3:::* does not match.
    assert decide(request("s3:ListAllMyBuckets", "*"), policies) is Outcome.IMPLICIT_DENY
    assert decide(request("s3:GetObject"), policies) is Outcome.ALLOWED
    bucket = "arn:aws:s3:::example-bucket"
    assert decide(request("s3:DeleteBucket", bucket), policies) is Outcome.IMPLICIT_DENY


def test_deny_with_not_resource_denies_everything_but_the_listed_resources() -> None:
    policies = identity_only(
        ALLOW_ALL,
        deny(
            Action="s3:*",
            NotResource=["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"],
        ),
    )
    assert decide(request(), policies) is Outcome.ALLOWED
    assert decide(request(resource="arn:aws:s3:::other/x"), policies) is Outcome.EXPLICIT_DENY
    assert decide(request("ec2:RunInstances", "*"), policies) is Outcome.ALLOWED


def test_allow_with_not_resource_grants_every_unlisted_resource() -> None:
    policies = identity_only(allow(Action="s3:*", NotResource="arn:aws:s3:::example-bucket/*"))
    assert decide(request(resource="arn:aws:s3:::other/x"), policies) is Outcome.ALLOWED
    assert decide(request(), policies) is Outcome.IMPLICIT_DENY


def test_region_deny_scp_needs_not_action_for_global_services() -> None:
    """IAM is global: its requests carry aws:RequestedRegion us-east-1, so a region guard SCP
    exempts it with NotAction."""
    guard = deny(
        NotAction="iam:*",
        Resource="*",
        Condition={"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}},
    )
    policies = Policies(
        identity=policy_set(ALLOW_ALL), scps=(policy_set(ALLOW_ALL, guard, kind=PolicyKind.SCP),)
    )
    us_east = {"aws:RequestedRegion": "us-east-1"}
    eu_west = {"aws:RequestedRegion": "eu-west-1"}
    assert decide(request("iam:CreateUser", NEW_USER, us_east), policies) is Outcome.ALLOWED
    assert decide(request("ec2:RunInstances", "*", us_east), policies) is Outcome.EXPLICIT_DENY
    assert decide(request("ec2:RunInstances", "*", eu_west), policies) is Outcome.ALLOWED


# == 1.4 Conditions =============================================================================


def condition_holds(
    condition: dict[str, Any], context: Context, version: str | None = "2012-10-17"
) -> bool:
    """Whether an Allow statement guarded by `condition` applies to a request with `context`."""
    policies = identity_only(allow(Action="*", Resource="*", Condition=condition), version=version)
    outcome = decide(request(context=context), policies)
    assert outcome is not Outcome.EXPLICIT_DENY
    return outcome is Outcome.ALLOWED


def case(condition: dict[str, Any], context: Context, expected: bool, name: str) -> Any:
    return pytest.param(condition, context, expected, id=name)


STRING_CASES = [
    case({"StringEquals": {"aws:username": "alice"}}, {"aws:username": "alice"}, True, "equals"),
    case({"StringEquals": {"aws:username": "alice"}}, {"aws:username": "Alice"}, False,
         "equals-is-case-sensitive"),
    case({"StringEquals": {"aws:username": "alice"}}, {}, False, "equals-absent-key"),
    case({"StringNotEquals": {"aws:username": "alice"}}, {"aws:username": "bob"}, True,
         "not-equals"),
    case({"StringNotEquals": {"aws:username": "alice"}}, {"aws:username": "alice"}, False,
         "not-equals-same"),
    case({"StringNotEquals": {"aws:username": "alice"}}, {}, True, "not-equals-absent-key"),
    case({"StringEqualsIgnoreCase": {"aws:username": "ALICE"}}, {"aws:username": "alice"}, True,
         "equals-ignore-case"),
    case({"StringNotEqualsIgnoreCase": {"aws:username": "ALICE"}}, {"aws:username": "alice"},
         False, "not-equals-ignore-case"),
    case({"StringLike": {"s3:prefix": "home/*/docs?"}}, {"s3:prefix": "home/a:b/c/docs1"}, True,
         "like-crosses-colon-and-slash"),
    case({"StringLike": {"s3:prefix": "home/*/docs?"}}, {"s3:prefix": "home/x/docs12"}, False,
         "like-question-is-one-character"),
    case({"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "HOME/x"}, False,
         "like-is-case-sensitive"),
    case({"StringLike": {"s3:prefix": "home/*"}}, {}, False, "like-absent-key"),
    case({"StringLike": {"s3:prefix": "a.c"}}, {"s3:prefix": "abc"}, False, "like-dot-is-literal"),
    case({"StringNotLike": {"s3:prefix": "tmp/*"}}, {"s3:prefix": "tmp/x"}, False, "not-like"),
    case({"StringNotLike": {"s3:prefix": "tmp/*"}}, {"s3:prefix": "home"}, True,
         "not-like-other"),
    case({"StringNotLike": {"s3:prefix": "tmp/*"}}, {}, True, "not-like-absent-key"),
    case({"StringEquals": {"aws:PrincipalTag/team": "Eng"}}, {"aws:PrincipalTag/team": "eng"},
         False, "tag-values-compare-case-sensitively"),
]  # fmt: skip

NUMERIC_CASES = [
    case({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
         {"aws:MultiFactorAuthAge": "3599"}, True, "less-than"),
    case({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
         {"aws:MultiFactorAuthAge": "3600"}, False, "less-than-boundary"),
    case({"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}},
         {"aws:MultiFactorAuthAge": "3600"}, True, "less-than-equals-boundary"),
    case({"NumericGreaterThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "10.5"}, True,
         "greater-than-decimal"),
    case({"NumericGreaterThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "9"}, False,
         "greater-than-equals"),
    case({"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10.0"}, True,
         "equals-compares-numbers-not-text"),
    case({"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "ten"}, False,
         "equals-not-a-number"),
    case({"NumericNotEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "11"}, True, "not-equals"),
    case({"NumericNotEquals": {"s3:max-keys": "10"}}, {}, True, "not-equals-absent-key"),
    case({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, {}, False,
         "absent-mfa-age-is-false"),
    case({"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}},
         {"aws:MultiFactorAuthAge": "100"}, True, "json-number-value"),
]  # fmt: skip

NOW = "2026-06-01T12:00:00Z"
DATE_CASES = [
    case({"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
         {"aws:CurrentTime": NOW}, True, "greater-than"),
    case({"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
         {"aws:CurrentTime": NOW}, False, "less-than"),
    case({"DateEquals": {"aws:CurrentTime": "2026-06-01T14:00:00+02:00"}},
         {"aws:CurrentTime": NOW}, True, "equals-across-time-zones"),
    case({"DateGreaterThan": {"aws:CurrentTime": "2026-06-01T12:00:00-05:00"}},
         {"aws:CurrentTime": "2026-06-01T16:00:00Z"}, False, "negative-offset-is-later"),
    case({"DateGreaterThan": {"aws:CurrentTime": "2026-06-01T12:00:00-05:00"}},
         {"aws:CurrentTime": "2026-06-01T18:00:00Z"}, True, "negative-offset-passed"),
    case({"DateLessThanEquals": {"aws:CurrentTime": NOW}}, {"aws:CurrentTime": NOW}, True,
         "less-than-equals-boundary"),
    case({"DateGreaterThanEquals": {"aws:CurrentTime": "1780315200"}},
         {"aws:CurrentTime": NOW}, True, "epoch-policy-value-against-iso"),
    case({"DateLessThan": {"aws:EpochTime": "2026-06-02T00:00:00Z"}},
         {"aws:EpochTime": "1780315200"}, True, "iso-policy-value-against-epoch"),
    case({"DateEquals": {"aws:EpochTime": 1780315200}}, {"aws:EpochTime": "1780315200"}, True,
         "json-number-epoch"),
    case({"DateNotEquals": {"aws:CurrentTime": NOW}}, {}, True, "not-equals-absent-key"),
    # Valid ISO 8601 date-times whose UTC instant is just outside years 1-9999.
    case({"DateLessThan": {"aws:CurrentTime": "9999-12-31T23:59:59-01:00"}},
         {"aws:CurrentTime": NOW}, True, "far-future-bound-with-offset"),
    case({"DateGreaterThan": {"aws:CurrentTime": "0001-01-01T00:00:00+01:00"}},
         {"aws:CurrentTime": NOW}, True, "far-past-bound-with-offset"),
    case({"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
         {"aws:CurrentTime": "9999-12-31T23:30:00-05:00"}, True, "far-future-request-time"),
    case({"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}}, {}, False,
         "token-issue-time-absent-for-access-keys"),
]  # fmt: skip

OTHER_FAMILY_CASES = [
    case({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "true"}, True,
         "bool-true"),
    case({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "false"}, False,
         "bool-false"),
    case({"Bool": {"aws:SecureTransport": "true"}}, {}, False, "bool-absent-key"),
    case({"Bool": {"aws:SecureTransport": False}}, {"aws:SecureTransport": "false"}, True,
         "bool-json-false"),
    case({"Bool": {"aws:SecureTransport": True}}, {"aws:SecureTransport": "true"}, True,
         "bool-json-true"),
    case({"BinaryEquals": {"custom:blob": "QmluYXJ5"}}, {"custom:blob": "QmluYXJ5"}, True,
         "binary-equals"),
    case({"BinaryEquals": {"custom:blob": "QmluYXJ5"}}, {"custom:blob": "QmluYXJ6"}, False,
         "binary-differs"),
    case({"BinaryEquals": {"custom:blob": "QUI="}}, {"custom:blob": "QUJ="}, True,
         "binary-compares-bytes-not-text"),
    case({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.10"},
         True, "ip-in-v4-range"),
    case({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "198.51.100.1"},
         False, "ip-outside-v4-range"),
    case({"IpAddress": {"aws:SourceIp": "203.0.113.10"}}, {"aws:SourceIp": "203.0.113.10"}, True,
         "bare-ip-is-a-single-address"),
    case({"IpAddress": {"aws:SourceIp": "203.0.113.10"}}, {"aws:SourceIp": "203.0.113.11"},
         False, "bare-ip-excludes-neighbours"),
    case({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}, {"aws:SourceIp": "2001:db8:1::5"},
         True, "ip-in-v6-range"),
    case({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}, {"aws:SourceIp": "2001:db9::1"},
         False, "ip-outside-v6-range"),
    case({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}},
         {"aws:SourceIp": "2001:db8::1"}, True, "ip-list-mixing-v4-and-v6"),
    case({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {}, False, "ip-absent-key"),
    case({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "198.51.100.1"},
         True, "not-ip-outside"),
    case({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.9"},
         False, "not-ip-inside"),
    case({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {}, True, "not-ip-absent-key"),
    case({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Dev*"}},
         {"aws:PrincipalArn": ROLE_ARN}, True, "arn-like"),
    case({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*:role/Dev*"}},
         {"aws:PrincipalArn": ROLE_ARN}, True, "arn-equals-is-arn-like"),
    case({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/dev*"}},
         {"aws:PrincipalArn": ROLE_ARN}, False, "arn-like-is-case-sensitive"),
    case({"ArnLike": {"aws:PrincipalArn": "arn:aws:*"}}, {"aws:PrincipalArn": ROLE_ARN}, False,
         "arn-like-star-stays-in-its-segment"),
    case({"StringLike": {"aws:PrincipalArn": "arn:aws:*"}}, {"aws:PrincipalArn": ROLE_ARN}, True,
         "string-like-star-crosses-segments"),
    case({"ArnLike": {"aws:SourceArn": f"arn:aws:iam::{ACCOUNT}:*"}},
         {"aws:SourceArn": f"arn:aws:iam::{ACCOUNT}:role/a:b"}, True,
         "arn-like-resource-id-keeps-colons"),
    case({"ArnLike": {"aws:SourceArn": "arn:aws:s3:*:*:example-bucket"}},
         {"aws:SourceArn": "arn:aws:s3:::example-bucket"}, True, "arn-like-empty-segments"),
    case({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin*"}},
         {"aws:PrincipalArn": ROLE_ARN}, True, "arn-not-like"),
    case({"ArnNotEquals": {"aws:PrincipalArn": ROLE_ARN}}, {"aws:PrincipalArn": ROLE_ARN}, False,
         "arn-not-equals-same"),
    case({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin*"}}, {}, True,
         "arn-not-like-absent-key"),
    case({"Null": {"aws:TokenIssueTime": "true"}}, {}, True, "null-true-key-absent"),
    case({"Null": {"aws:TokenIssueTime": "true"}}, {"aws:TokenIssueTime": NOW}, False,
         "null-true-key-present"),
    case({"Null": {"aws:TokenIssueTime": "false"}}, {"aws:TokenIssueTime": NOW}, True,
         "null-false-key-present"),
    case({"Null": {"aws:TokenIssueTime": False}}, {}, False, "null-false-key-absent"),
]  # fmt: skip

IF_EXISTS_CASES = [
    case({"StringEqualsIfExists": {"aws:username": "alice"}}, {}, True, "positive-absent"),
    case({"StringEqualsIfExists": {"aws:username": "alice"}}, {"aws:username": "bob"}, False,
         "positive-present-mismatch"),
    case({"StringEqualsIfExists": {"aws:username": "alice"}}, {"aws:username": "alice"}, True,
         "positive-present-match"),
    case({"StringNotEqualsIfExists": {"aws:username": "alice"}}, {}, True, "negated-absent"),
    case({"StringNotEqualsIfExists": {"aws:username": "alice"}}, {"aws:username": "alice"},
         False, "negated-present-match"),
    case({"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}, {}, True,
         "numeric-absent"),
    case({"DateGreaterThanIfExists": {"aws:TokenIssueTime": NOW}}, {}, True, "date-absent"),
    case({"IpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}}, {}, True, "ip-absent"),
    case({"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:s3:::*"}}, {}, True, "arn-absent"),
]  # fmt: skip

BLOCK_LOGIC_CASES = [
    case({"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}},
         {"aws:RequestedRegion": "eu-west-1"}, True, "negated-multi-value-outside-all"),
    case({"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}},
         {"aws:RequestedRegion": "us-west-2"}, False, "negated-multi-value-is-nor"),
    case({"StringNotLike": {"s3:prefix": ["tmp/*", "cache/*"]}}, {"s3:prefix": "cache/x"},
         False, "negated-like-multi-value-is-nor"),
    case({"Bool": {"AWS:SecureTransport": "true"}},
         {"aws:securetransport": "true"}, True, "key-names-case-insensitive"),
    case({"Bool": {"aws:securetransport": "true"}}, {"AWS:SecureTransport": "true"}, True,
         "key-names-case-insensitive-in-context"),
    case({"StringEquals": {"aws:PrincipalTag/Team": "eng"}}, {"aws:principaltag/team": "eng"},
         True, "tag-key-part-case-insensitive"),
    case({"StringEquals": {"aws:principaltag/team": "eng"}}, {"aws:PrincipalTag/TEAM": "eng"},
         True, "tag-key-part-case-insensitive-in-context"),
    case({"StringEquals": {"aws:RequestTag/Env": "prod"}}, {"aws:requesttag/env": "prod"}, True,
         "request-tag-key-case-insensitive"),
    case({"StringEquals": {"aws:RequestTag/Env": "prod"}}, {"aws:requesttag/envx": "prod"},
         False, "request-tag-other-key"),
    case({"StringEquals": {"custom:count": 7}}, {"custom:count": "7"}, True,
         "json-number-as-string"),
    case({"StringEquals": {"aws:TagKeys": "a"}}, {"aws:TagKeys": ["a", "b"]}, True,
         "plain-operator-on-multivalued-key-any"),
    case({"StringNotEquals": {"aws:TagKeys": "a"}}, {"aws:TagKeys": ["a", "b"]}, False,
         "plain-negated-operator-on-multivalued-key-none"),
]  # fmt: skip


@pytest.mark.parametrize(("condition", "context", "expected"), STRING_CASES)
def test_string_operators(condition: dict[str, Any], context: Context, expected: bool) -> None:
    assert condition_holds(condition, context) is expected


@pytest.mark.parametrize(("condition", "context", "expected"), NUMERIC_CASES)
def test_numeric_operators(condition: dict[str, Any], context: Context, expected: bool) -> None:
    assert condition_holds(condition, context) is expected


@pytest.mark.parametrize(("condition", "context", "expected"), DATE_CASES)
def test_date_operators(condition: dict[str, Any], context: Context, expected: bool) -> None:
    assert condition_holds(condition, context) is expected


@pytest.mark.parametrize(("condition", "context", "expected"), OTHER_FAMILY_CASES)
def test_bool_binary_ip_arn_and_null_operators(
    condition: dict[str, Any], context: Context, expected: bool
) -> None:
    assert condition_holds(condition, context) is expected


@pytest.mark.parametrize(("condition", "context", "expected"), IF_EXISTS_CASES)
def test_if_exists_operators(condition: dict[str, Any], context: Context, expected: bool) -> None:
    assert condition_holds(condition, context) is expected


@pytest.mark.parametrize(("condition", "context", "expected"), BLOCK_LOGIC_CASES)
def test_condition_block_logic_and_key_names(
    condition: dict[str, Any], context: Context, expected: bool
) -> None:
    assert condition_holds(condition, context) is expected


def test_values_are_ored_keys_anded_operators_anded() -> None:
    block = {
        "StringEquals": {
            "aws:RequestedRegion": ["us-east-1", "eu-west-1"],
            "aws:PrincipalTag/team": "eng",
        },
        "Bool": {"aws:SecureTransport": "true"},
    }
    good = {
        "aws:RequestedRegion": "us-east-1",
        "aws:PrincipalTag/team": "eng",
        "aws:SecureTransport": "true",
    }
    assert condition_holds(block, good)
    assert condition_holds(block, {**good, "aws:RequestedRegion": "eu-west-1"})
    assert not condition_holds(block, {**good, "aws:RequestedRegion": "ap-south-1"})
    assert not condition_holds(block, {**good, "aws:PrincipalTag/team": "ops"})
    assert not condition_holds(block, {**good, "aws:SecureTransport": "false"})


def test_deny_with_negated_operator_and_absent_key_denies() -> None:
    """A negated operator is true on a missing key, so the Deny applies (with or without
    IfExists)."""
    for operator in ("StringNotEquals", "StringNotEqualsIfExists"):
        guard = deny(
            Action="*",
            Resource="*",
            Condition={operator: {"aws:PrincipalTag/department": "finance"}},
        )
        policies = identity_only(ALLOW_ALL, guard)
        assert decide(request(context={}), policies) is Outcome.EXPLICIT_DENY, operator
        finance = {"aws:PrincipalTag/department": "finance"}
        assert decide(request(context=finance), policies) is Outcome.ALLOWED, operator


SET_CASES = [
    # ForAllValues: every request value must be in the policy set; true when absent or empty.
    case({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}},
         {"aws:TagKeys": ["env"]}, True, "for-all-subset"),
    case({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}},
         {"aws:TagKeys": ["env", "team"]}, True, "for-all-equal-set"),
    case({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}},
         {"aws:TagKeys": ["env", "cost"]}, False, "for-all-one-outside"),
    case({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}, {}, True,
         "for-all-absent-key"),
    case({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}, {"aws:TagKeys": []},
         True, "for-all-empty-set"),
    case({"ForAllValues:StringLike": {"aws:TagKeys": ["env-*"]}},
         {"aws:TagKeys": ["env-a", "env-b"]}, True, "for-all-like"),
    # ForAnyValue: some request value must be in the policy set; false when absent or empty.
    case({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}},
         {"aws:TagKeys": ["cost", "env"]}, True, "for-any-one-inside"),
    case({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}},
         {"aws:TagKeys": ["cost"]}, False, "for-any-none-inside"),
    case({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}}, {}, False,
         "for-any-absent-key"),
    case({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}}, {"aws:TagKeys": []},
         False, "for-any-empty-set"),
    # Negated operators: the per-value comparison is negated inside the quantifier.
    case({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret"]}},
         {"aws:TagKeys": ["env", "team"]}, True, "for-all-not-equals-none-forbidden"),
    case({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret"]}},
         {"aws:TagKeys": ["env", "secret"]}, False, "for-all-not-equals-one-forbidden"),
    case({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret"]}}, {}, True,
         "for-all-not-equals-absent-key"),
    case({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["env"]}},
         {"aws:TagKeys": ["env", "team"]}, True, "for-any-not-equals-one-other"),
    case({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["env"]}}, {"aws:TagKeys": ["env"]},
         False, "for-any-not-equals-all-listed"),
    case({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["env"]}}, {}, False,
         "for-any-not-equals-absent-key"),
    case({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["env"]}}, {"aws:TagKeys": []}, False,
         "for-any-not-equals-empty-set"),
    case({"ForAnyValue:StringNotLike": {"aws:TagKeys": ["env*"]}}, {}, False,
         "for-any-not-like-absent-key"),
]  # fmt: skip


@pytest.mark.parametrize(("condition", "context", "expected"), SET_CASES)
def test_set_operators(condition: dict[str, Any], context: Context, expected: bool) -> None:
    assert condition_holds(condition, context) is expected


def test_deny_with_for_any_value_on_one_forbidden_attribute() -> None:
    guard = deny(
        Action="dynamodb:GetItem",
        Resource="*",
        Condition={"ForAnyValue:StringEquals": {"dynamodb:Attributes": ["ssn", "salary"]}},
    )
    policies = identity_only(ALLOW_ALL, guard)
    wanted = {"dynamodb:Attributes": ["name", "salary"]}
    assert decide(request("dynamodb:GetItem", "*", wanted), policies) is Outcome.EXPLICIT_DENY
    harmless = {"dynamodb:Attributes": ["name", "email"]}
    assert decide(request("dynamodb:GetItem", "*", harmless), policies) is Outcome.ALLOWED
    assert decide(request("dynamodb:GetItem", "*", {}), policies) is Outcome.ALLOWED


# -- aws:MultiFactorAuthPresent traps (1.7.1) --------------------------------------------------

ACCESS_KEY: Context = {}  # long-term access keys: the key is absent
NO_MFA: Context = {"aws:MultiFactorAuthPresent": "false"}
WITH_MFA: Context = {"aws:MultiFactorAuthPresent": "true"}

MFA_CASES = [
    pytest.param(deny, "BoolIfExists", "false", ACCESS_KEY, Outcome.EXPLICIT_DENY,
                 id="M01-deny-bool-if-exists-false-denies-access-keys"),
    pytest.param(deny, "Bool", "false", ACCESS_KEY, Outcome.ALLOWED,
                 id="M02-deny-bool-false-misses-access-keys"),
    pytest.param(deny, "Bool", "false", NO_MFA, Outcome.EXPLICIT_DENY,
                 id="M03-deny-bool-false-denies-session-without-mfa"),
    pytest.param(deny, "BoolIfExists", "false", WITH_MFA, Outcome.ALLOWED,
                 id="deny-bool-if-exists-false-spares-mfa"),
    pytest.param(allow, "BoolIfExists", "true", ACCESS_KEY, Outcome.ALLOWED,
                 id="M04-allow-bool-if-exists-true-admits-access-keys"),
    pytest.param(allow, "Bool", "true", ACCESS_KEY, Outcome.IMPLICIT_DENY,
                 id="M05-allow-bool-true-excludes-access-keys"),
    pytest.param(allow, "Bool", "true", WITH_MFA, Outcome.ALLOWED, id="allow-bool-true-with-mfa"),
    pytest.param(allow, "BoolIfExists", "true", NO_MFA, Outcome.IMPLICIT_DENY,
                 id="allow-bool-if-exists-true-excludes-session-without-mfa"),
    pytest.param(allow, "Null", "false", NO_MFA, Outcome.ALLOWED,
                 id="M07-allow-null-false-admits-session-without-mfa"),
    pytest.param(allow, "Null", "false", ACCESS_KEY, Outcome.IMPLICIT_DENY,
                 id="allow-null-false-excludes-access-keys"),
    pytest.param(deny, "Null", "true", ACCESS_KEY, Outcome.EXPLICIT_DENY,
                 id="deny-null-true-denies-access-keys"),
]  # fmt: skip


@pytest.mark.parametrize(("effect", "operator", "value", "context", "expected"), MFA_CASES)
def test_multi_factor_auth_present_traps(
    effect: Any, operator: str, value: str, context: Context, expected: Outcome
) -> None:
    guarded = effect(
        Action="iam:CreateUser",
        Resource="*",
        Condition={operator: {"aws:MultiFactorAuthPresent": value}},
    )
    statements = [guarded] if effect is allow else [ALLOW_ALL, guarded]
    assert decide(request("iam:CreateUser", NEW_USER, context), identity_only(*statements)) is (
        expected
    )


# == 1.5 Policy variables ======================================================================

HOME = "arn:aws:s3:::team-data/home/${aws:username}/*"


def resource_allowed(
    pattern: str, resource: str, context: Context, version: str | None = "2012-10-17"
) -> bool:
    policies = identity_only(allow(Action="s3:*", Resource=pattern), version=version)
    return decide(request("s3:GetObject", resource, context), policies) is Outcome.ALLOWED


def test_variable_in_resource_is_the_callers_value() -> None:
    alice = {"aws:username": "alice"}
    assert resource_allowed(HOME, "arn:aws:s3:::team-data/home/alice/notes.txt", alice)
    assert not resource_allowed(HOME, "arn:aws:s3:::team-data/home/bob/notes.txt", alice)


def test_variable_names_are_case_insensitive() -> None:
    pattern = "arn:aws:s3:::team-data/home/${AWS:UserName}/*"
    for context in ({"aws:username": "alice"}, {"AWS:USERNAME": "alice"}):
        assert resource_allowed(pattern, "arn:aws:s3:::team-data/home/alice/x", context)
        assert not resource_allowed(pattern, "arn:aws:s3:::team-data/home/bob/x", context)


def test_variable_default_value_applies_only_when_the_key_is_absent() -> None:
    pattern = "arn:aws:s3:::team-data/${aws:PrincipalTag/team, 'company-wide'}/*"
    assert resource_allowed(pattern, "arn:aws:s3:::team-data/company-wide/x", {})
    eng = {"aws:PrincipalTag/team": "eng"}
    assert resource_allowed(pattern, "arn:aws:s3:::team-data/eng/x", eng)
    assert not resource_allowed(pattern, "arn:aws:s3:::team-data/company-wide/x", eng)


def test_tag_key_in_a_variable_is_case_insensitive() -> None:
    pattern = "arn:aws:s3:::team-data/${aws:PrincipalTag/Team}/*"
    assert resource_allowed(
        pattern, "arn:aws:s3:::team-data/eng/x", {"aws:principaltag/team": "eng"}
    )


def test_literal_variables_insert_the_character_not_a_wildcard() -> None:
    pattern = "arn:aws:s3:::team-data/${*}${?}${$}"
    assert resource_allowed(pattern, "arn:aws:s3:::team-data/*?$", {})
    assert not resource_allowed(pattern, "arn:aws:s3:::team-data/ab$", {})
    assert not resource_allowed(pattern, "arn:aws:s3:::team-data/x?$", {})
    like = {"StringLike": {"s3:prefix": "${*}/${?}"}}
    assert condition_holds(like, {"s3:prefix": "*/?"})
    assert not condition_holds(like, {"s3:prefix": "abc/d"})
    equals = {"StringEquals": {"s3:prefix": "${*}${$}"}}
    assert condition_holds(equals, {"s3:prefix": "*$"})


def test_a_value_holding_a_wildcard_character_is_literal() -> None:
    pattern = "arn:aws:s3:::team-data/${aws:PrincipalTag/team}/*"
    star_team = {"aws:PrincipalTag/team": "*"}
    assert not resource_allowed(pattern, "arn:aws:s3:::team-data/eng/x", star_team)
    assert resource_allowed(pattern, "arn:aws:s3:::team-data/*/x", star_team)
    question_team = {"aws:PrincipalTag/team": "?"}
    assert not resource_allowed(pattern, "arn:aws:s3:::team-data/e/x", question_team)
    like = {"StringLike": {"s3:prefix": "${aws:PrincipalTag/team}/*"}}
    assert not condition_holds(like, {**star_team, "s3:prefix": "eng/x"})
    assert condition_holds(like, {**star_team, "s3:prefix": "*/x"})
    arn_like = {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::${aws:PrincipalTag/team}"}}
    assert not condition_holds(arn_like, {**star_team, "aws:SourceArn": "arn:aws:s3:::bucket"})
    assert condition_holds(arn_like, {**star_team, "aws:SourceArn": "arn:aws:s3:::*"})


def test_a_variable_with_no_value_matches_nothing() -> None:
    # In a Resource: no resource matches, not even the text of the variable.
    for resource in [
        "arn:aws:s3:::team-data/home//notes.txt",
        "arn:aws:s3:::team-data/home/${aws:username}/notes.txt",
        "arn:aws:s3:::team-data/home/alice/notes.txt",
    ]:
        assert not resource_allowed(HOME, resource, {}), resource
    # In a condition value: StringEquals and StringLike do not match, whatever the request holds.
    tag_is_me = {"StringEquals": {"aws:PrincipalTag/owner": "${aws:username}"}}
    assert not condition_holds(tag_is_me, {"aws:PrincipalTag/owner": "${aws:username}"})
    assert not condition_holds(tag_is_me, {"aws:PrincipalTag/owner": ""})
    own_prefix = {"StringLike": {"s3:prefix": ["${aws:username}/*", "${aws:username}"]}}
    assert condition_holds(own_prefix, {"aws:username": "alice", "s3:prefix": "alice/x"})
    assert not condition_holds(own_prefix, {"s3:prefix": "alice/x"})
    assert not condition_holds(own_prefix, {"s3:prefix": ""})
    own_arn = {"ArnLike": {"aws:SourceArn": "${aws:PrincipalTag/source}"}}
    assert not condition_holds(own_arn, {"aws:SourceArn": ""})


def test_a_variable_with_no_value_under_a_negated_operator() -> None:
    """Docs are silent; Stockade (docs/policy-engine.md): the value matches nothing, so
    StringNotEquals on it is true."""
    not_me = {"StringNotEquals": {"aws:PrincipalTag/owner": "${aws:username}"}}
    assert condition_holds(not_me, {"aws:PrincipalTag/owner": "alice"})
    assert not condition_holds(not_me, {"aws:PrincipalTag/owner": "alice", "aws:username": "alice"})


def test_variables_in_condition_values() -> None:
    tag_is_me = {"StringEquals": {"aws:PrincipalTag/owner": "${aws:username}"}}
    assert condition_holds(tag_is_me, {"aws:PrincipalTag/owner": "alice", "aws:username": "alice"})
    assert not condition_holds(
        tag_is_me, {"aws:PrincipalTag/owner": "bob", "aws:username": "alice"}
    )
    my_arn = {"ArnEquals": {"aws:SourceArn": f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"}}
    assert condition_holds(my_arn, {"aws:SourceArn": ALICE_ARN, "aws:username": "alice"})
    assert not condition_holds(my_arn, {"aws:SourceArn": BOB_ARN, "aws:username": "alice"})
    same_flag = {"Bool": {"aws:SecureTransport": "${aws:PrincipalTag/tls}"}}
    assert condition_holds(
        same_flag, {"aws:SecureTransport": "true", "aws:PrincipalTag/tls": "true"}
    )
    assert not condition_holds(
        same_flag, {"aws:SecureTransport": "false", "aws:PrincipalTag/tls": "true"}
    )


def test_variables_are_not_substituted_in_numeric_conditions() -> None:
    limit = {"NumericEquals": {"aws:MultiFactorAuthAge": "${aws:PrincipalTag/limit}"}}
    context = {"aws:MultiFactorAuthAge": "5", "aws:PrincipalTag/limit": "5"}
    assert not condition_holds(limit, context)


def test_a_multivalued_key_is_not_a_variable_value() -> None:
    pattern = "arn:aws:s3:::team-data/${aws:TagKeys}/*"
    assert not resource_allowed(pattern, "arn:aws:s3:::team-data/env/x", {"aws:TagKeys": ["env"]})


@pytest.mark.parametrize("version", ["2008-10-17", None], ids=["2008-10-17", "no-version"])
def test_old_or_absent_version_makes_variables_literal_text(version: str | None) -> None:
    alice = {"aws:username": "alice"}
    literal = "arn:aws:s3:::team-data/home/${aws:username}/notes.txt"
    assert resource_allowed(HOME, literal, alice, version=version)
    assert not resource_allowed(HOME, "arn:aws:s3:::team-data/home/alice/notes.txt", alice, version)
    tag_is_me = {"StringEquals": {"aws:PrincipalTag/owner": "${aws:username}"}}
    owner_alice = {"aws:PrincipalTag/owner": "alice", **alice}
    assert not condition_holds(tag_is_me, owner_alice, version=version)
    owner_literal = {"aws:PrincipalTag/owner": "${aws:username}", **alice}
    assert condition_holds(tag_is_me, owner_literal, version=version)


# == Explanations ================================================================================

GUARDRAILS = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowEverything",
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    },
    {
      "Sid": "DenyUserCreation",
      "Effect": "Deny",
      "Action": "iam:CreateUser",
      "Resource": "*"
    }
  ]
}
"""
GUARDRAILS_ID = f"arn:aws:iam::{ACCOUNT}:policy/Guardrails"


def test_explicit_deny_explanation_names_the_deny_statement() -> None:
    lines = GUARDRAILS.splitlines()
    deny_line = lines.index('      "Sid": "DenyUserCreation",')  # the `{` is on the line before
    assert lines[deny_line - 1] == "    {"
    policy = parse_policy(GUARDRAILS, policy_id=GUARDRAILS_ID)
    policies = Policies(identity=PolicySet([policy]))
    req = request("iam:CreateUser", NEW_USER)

    explanation = explain(req, policies)

    assert explanation.outcome is Outcome.EXPLICIT_DENY
    assert explanation.decided_by is Layer.IDENTITY
    assert len(explanation.matched) == 1
    ref = explanation.matched[0]
    assert (ref.policy_id, ref.sid, ref.index, ref.effect) == (
        GUARDRAILS_ID,
        "DenyUserCreation",
        1,
        Effect.DENY,
    )
    assert (ref.line, ref.column) == (deny_line, 5)
    rendered = explanation.render()
    assert "DenyUserCreation" in rendered
    assert f"line {deny_line} column 5" in rendered
    as_dict = explanation.to_dict()
    assert as_dict["decision"] == "explicitDeny"
    assert as_dict["matched_statements"] == [
        {
            "policy": GUARDRAILS_ID,
            "layer": "identity",
            "statement": 1,
            "sid": "DenyUserCreation",
            "effect": "Deny",
            "line": deny_line,
            "column": 5,
        }
    ]


def test_explicit_deny_message_uses_aws_wording() -> None:
    policies = Policies(identity=PolicySet([parse_policy(GUARDRAILS, policy_id=GUARDRAILS_ID)]))
    explanation = explain(request("iam:CreateUser", NEW_USER), policies)
    assert explanation.denial_message(ALICE_ARN, "iam:CreateUser", NEW_USER) == (
        f"User: {ALICE_ARN} is not authorized to perform: iam:CreateUser on resource: {NEW_USER}"
        " with an explicit deny in an identity-based policy"
    )


NEAR_MISSES = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadDocs",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-bucket/*"
    },
    {
      "Sid": "ManageAdmins",
      "Effect": "Allow",
      "Action": "iam:CreateUser",
      "Resource": "arn:aws:iam::111122223333:user/admins/*"
    },
    {
      "Sid": "CreateUsersWithMfa",
      "Effect": "Allow",
      "Action": "iam:CreateUser",
      "Resource": "*",
      "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    }
  ]
}
"""


def test_implicit_deny_explanation_lists_the_nearest_statements_and_why() -> None:
    policies = Policies(identity=PolicySet([parse_policy(NEAR_MISSES, policy_id="near.json")]))
    req = request("iam:CreateUser", NEW_USER, {"aws:username": "alice"})

    explanation = explain(req, policies)

    assert explanation.outcome is Outcome.IMPLICIT_DENY
    assert explanation.decided_by is Layer.IDENTITY
    assert explanation.matched == ()
    stages = {miss.ref.sid: miss.stage for miss in explanation.nearest}
    assert stages == {
        "CreateUsersWithMfa": "condition",
        "ManageAdmins": "resource",
        "ReadDocs": "action",
    }
    # The closest miss (a failing condition) comes first, the action miss last.
    assert [miss.stage for miss in explanation.nearest] == ["condition", "resource", "action"]
    condition_miss = explanation.nearest[0]
    assert "aws:MultiFactorAuthPresent" in condition_miss.detail
    assert condition_miss.ref.index == 2
    assert condition_miss.ref.line == NEAR_MISSES.splitlines().index("    {", 15) + 1
    assert NEW_USER in explanation.nearest[1].detail
    assert explanation.missing_context_values == ("aws:MultiFactorAuthPresent",)


def test_implicit_deny_message_uses_aws_wording() -> None:
    policies = Policies(identity=PolicySet([parse_policy(NEAR_MISSES, policy_id="near.json")]))
    explanation = explain(request("iam:CreateUser", NEW_USER), policies)
    assert explanation.denial_message(ALICE_ARN, "iam:CreateUser", NEW_USER) == (
        f"User: {ALICE_ARN} is not authorized to perform: iam:CreateUser on resource: {NEW_USER}"
        " because no identity-based policy allows the iam:CreateUser action"
    )


def test_condition_miss_names_the_key_and_the_request_value() -> None:
    policies = identity_only(
        allow(
            Sid="EuropeOnly",
            Action="*",
            Resource="*",
            Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
        )
    )
    explanation = explain(request(context={"aws:RequestedRegion": "us-east-1"}), policies)
    assert explanation.outcome is Outcome.IMPLICIT_DENY
    (miss,) = explanation.nearest
    assert miss.stage == "condition"
    assert "aws:RequestedRegion" in miss.detail
    assert "us-east-1" in miss.detail
    assert explanation.missing_context_values == ()


def test_denial_messages_name_the_layer_that_refused() -> None:
    scp = Policies(
        identity=policy_set(ALLOW_ALL),
        scps=(policy_set(allow(Action="ec2:*", Resource="*"), kind=PolicyKind.SCP),),
    )
    assert (
        explain(request(), scp)
        .denial_message(ALICE_ARN, "s3:GetObject", OBJECT)
        .endswith("because no service control policy allows the s3:GetObject action")
    )
    boundary = Policies(
        identity=policy_set(ALLOW_ALL),
        boundary=policy_set(allow(Action="ec2:*", Resource="*"), kind=PolicyKind.BOUNDARY),
    )
    assert (
        explain(request(), boundary)
        .denial_message(ALICE_ARN, "s3:GetObject", OBJECT)
        .endswith("because no permissions boundary allows the s3:GetObject action")
    )
    scp_deny = Policies(
        identity=policy_set(ALLOW_ALL),
        scps=(policy_set(ALLOW_ALL, DENY_GET, kind=PolicyKind.SCP),),
    )
    assert (
        explain(request(), scp_deny)
        .denial_message(ALICE_ARN, "s3:GetObject", OBJECT)
        .endswith("with an explicit deny in a service control policy")
    )


# == Validation beyond the conformance file =====================================================


@pytest.mark.parametrize(
    "kind",
    [PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION, PolicyKind.SCP],
    ids=lambda kind: kind.value,
)
@pytest.mark.parametrize("element", ["Principal", "NotPrincipal"])
def test_policies_attached_to_identities_must_not_name_a_principal(
    kind: PolicyKind, element: str
) -> None:
    text = json.dumps(
        document(ALLOW_ALL, {"Effect": "Allow", element: "*", "Action": "*", "Resource": "*"}),
        indent=2,
    )
    with pytest.raises(PolicyError) as raised:
        parse_policy(text, kind=kind)
    assert raised.value.message == "Policy document should not specify a principal."
    assert raised.value.code == "MalformedPolicyDocument"
    # It points at the offending (second) statement.
    assert raised.value.line == text.splitlines().index("    {", 8) + 1


@pytest.mark.parametrize("kind", [PolicyKind.RESOURCE, PolicyKind.TRUST], ids=lambda k: k.value)
def test_resource_and_trust_policies_must_name_a_principal(kind: PolicyKind) -> None:
    statement = allow(Action="sts:AssumeRole")
    if kind is PolicyKind.RESOURCE:
        statement["Resource"] = "*"
    with pytest.raises(PolicyError) as raised:
        parse_policy(document(statement), kind=kind)
    assert raised.value.message == "Missing required field Principal"


@pytest.mark.parametrize("element", ["Resource", "NotResource", "NotPrincipal"])
def test_trust_policy_prohibited_fields(element: str) -> None:
    statement: Document = {"Effect": "Allow", "Action": "sts:AssumeRole"}
    if element == "NotPrincipal":
        statement["NotPrincipal"] = {"AWS": ALICE_ARN}
    else:
        statement["Principal"] = {"AWS": ALICE_ARN}
        statement[element] = "*"
    with pytest.raises(PolicyError) as raised:
        parse_policy(document(statement), kind=PolicyKind.TRUST)
    assert raised.value.message == f"Has prohibited field {element}."


def test_trust_policy_without_resource_is_accepted_and_applies_to_its_role() -> None:
    trust = parse_policy(
        document(allow(Principal={"AWS": ALICE_ARN}, Action="sts:AssumeRole")),
        kind=PolicyKind.TRUST,
    )
    policies = Policies(resource=PolicySet([trust]))
    assert decide(request("sts:AssumeRole", ROLE_ARN, principal=ALICE), policies) is (
        Outcome.ALLOWED
    )
    assert decide(request("sts:AssumeRole", ROLE_ARN, principal=BOB), policies) is (
        Outcome.IMPLICIT_DENY
    )


def test_sids_must_be_unique_within_a_policy() -> None:
    with pytest.raises(PolicyError) as raised:
        parse_policy(document(allow(Sid="Same", **ALLOW_ALL), deny(Sid="Same", **DENY_GET)))
    assert raised.value.message == "Statement IDs (SID) in a single policy must be unique."


def test_size_quotas_are_aws_quotas() -> None:
    assert SIZE_LIMITS == {
        "managed": 6144,
        "user-inline": 2048,
        "group-inline": 5120,
        "role-inline": 10240,
        "trust": 2048,
        "session": 2048,
        "scp": 5120,
    }


def padded_policy(size: int, indent: int | None) -> str:
    """A valid policy of exactly `size` characters once white space is left out."""
    base = document(allow(Sid="", Action="s3:GetObject", Resource="*"))
    compact = json.dumps(base, separators=(",", ":"))
    base["Statement"][0]["Sid"] = "S" * (size - len(compact))
    return json.dumps(base, indent=indent)


@pytest.mark.parametrize("indent", [None, 8], ids=["compact", "indented"])
def test_size_limit_counts_characters_that_are_not_white_space(indent: int | None) -> None:
    limit = SIZE_LIMITS["user-inline"]
    at_limit = padded_policy(limit, indent)
    assert count_policy_characters(at_limit) == limit
    if indent:
        assert len(at_limit) > limit + 100  # the white space would be over the quota
    assert parse_policy(at_limit, size_limit=limit).statements
    over = padded_policy(limit + 1, indent)
    with pytest.raises(PolicyError) as raised:
        parse_policy(over, size_limit=limit)
    assert raised.value.code == "LimitExceeded"
    assert str(limit) in raised.value.message


def test_size_counts_characters_not_bytes() -> None:
    text = padded_policy(200, None).replace("S" * 10, "é" * 10, 1)
    assert count_policy_characters(text) == 200
    assert len(text.encode("utf-8")) > 200
    assert parse_policy(text.encode("utf-8"), size_limit=200).statements


def test_syntax_error_reports_line_and_column() -> None:
    text = '{\n  "Version": "2012-10-17",\n  "Statement": oops\n}'
    with pytest.raises(PolicyError) as raised:
        parse_policy(text)
    error = raised.value
    assert error.code == "MalformedPolicyDocument"
    assert error.message.startswith("Syntax errors in policy.")
    assert "line 3, column 16" in error.message
    assert (error.line, error.column) == (3, 16)


def test_validation_error_points_at_the_offending_element() -> None:
    text = (
        "{\n"
        '  "Version": "2012-10-17",\n'
        '  "Statement": {\n'
        '    "Effect": "allow",\n'
        '    "Action": "*",\n'
        '    "Resource": "*"\n'
        "  }\n"
        "}"
    )
    with pytest.raises(PolicyError) as raised:
        parse_policy(text)
    assert raised.value.message == "The policy failed legacy parsing"
    assert (raised.value.line, raised.value.column) == (4, 15)
