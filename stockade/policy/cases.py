"""Decision cases as JSON lines: the format `stockade policy test` runs and the suite ships.

One object per line (see docs/policy-cases.md): id, principal {arn, type}, request {action,
resource, context}, identity_policies, permissions_boundary, session_policy, resource_policy,
scps (a list of levels, each a list of policies) and expected (Allow | ExplicitDeny | ImplicitDeny).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from stockade.policy.compile import PolicySet
from stockade.policy.errors import PolicyError
from stockade.policy.evaluate import Outcome, Policies
from stockade.policy.model import PolicyKind
from stockade.policy.parse import parse_policy
from stockade.policy.request import Principal, PrincipalType, Request

EXPECTED = {
    "Allow": Outcome.ALLOWED,
    "ExplicitDeny": Outcome.EXPLICIT_DENY,
    "ImplicitDeny": Outcome.IMPLICIT_DENY,
}
_PRINCIPAL_TYPES = {
    "IAMUser": PrincipalType.USER,
    "User": PrincipalType.USER,
    "AssumedRoleSession": PrincipalType.ASSUMED_ROLE,
    "AssumedRole": PrincipalType.ASSUMED_ROLE,
    "FederatedUser": PrincipalType.FEDERATED_USER,
    "Root": PrincipalType.ROOT,
    "Account": PrincipalType.ROOT,
    "Anonymous": PrincipalType.ANONYMOUS,
}


class CaseError(ValueError):
    """A case line that cannot be read; the message says which line and what is wrong."""


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    title: str
    request: Request
    policies: Policies
    expected: Outcome


def _policy(document: Any, kind: PolicyKind, name: str) -> PolicySet:
    text = document if isinstance(document, str) else json.dumps(document, indent=2)
    return PolicySet([parse_policy(text, kind=kind, policy_id=name)])


def _layer(documents: list[Any], kind: PolicyKind, name: str) -> PolicySet:
    parsed = []
    for number, document in enumerate(documents):
        text = document if isinstance(document, str) else json.dumps(document, indent=2)
        parsed.append(parse_policy(text, kind=kind, policy_id=f"{name}[{number}]"))
    return PolicySet(parsed)


def case_from_dict(data: Mapping[str, Any]) -> Case:
    """Build a case; raises CaseError (or PolicyError for a bad policy in it)."""
    try:
        principal_data = data.get("principal") or {}
        request_data = data["request"]
        context = dict(request_data.get("context") or {})
        principal = None
        if principal_data:
            kind = _PRINCIPAL_TYPES[principal_data.get("type", "IAMUser")]
            role_arn = context.get("aws:PrincipalArn") if kind is PrincipalType.ASSUMED_ROLE else None
            principal = Principal(principal_data["arn"], kind, role_arn)
        request = Request(request_data["action"], request_data["resource"], context, principal)
        boundary, session, resource = (
            data.get("permissions_boundary"),
            data.get("session_policy"),
            data.get("resource_policy"),
        )
        scps = data.get("scps")
        policies = Policies(
            identity=_layer(list(data.get("identity_policies") or []), PolicyKind.IDENTITY, "identity"),
            boundary=_policy(boundary, PolicyKind.BOUNDARY, "boundary") if boundary else None,
            session=_policy(session, PolicyKind.SESSION, "session") if session else None,
            resource=_policy(resource, PolicyKind.RESOURCE, "resource") if resource else None,
            scps=(
                tuple(_layer(level, PolicyKind.SCP, f"scp-level-{n}") for n, level in enumerate(scps))
                if scps is not None
                else None
            ),
        )
        return Case(
            id=str(data.get("id", "")),
            title=str(data.get("title", "")),
            request=request,
            policies=policies,
            expected=EXPECTED[data["expected"]],
        )
    except PolicyError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise CaseError(f"malformed case: {exc!r}") from None


def read_cases(text: str) -> Iterator[tuple[int, Case | Exception]]:
    """Each non-blank line's number and its case, or the error that stopped it."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise CaseError("a case must be a JSON object")
            yield number, case_from_dict(data)
        except (json.JSONDecodeError, CaseError, PolicyError) as exc:
            yield number, exc
