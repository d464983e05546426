"""Decision cases as JSON lines: the format `stockade policy test` runs and the suite ships.

One object per line (see docs/policy-cases.md): id, principal {arn, type}, request {action,
resource, context}, identity_policies, permissions_boundary, session_policy, resource_policy,
scps (a list of levels, each a list of policies) and expected (Allow | ExplicitDeny | ImplicitDeny).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
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


# Reads a policy a case names instead of writing it out: name → (policy id, document text).
# The engine does no I/O; the command line passes one that reads files beside the cases.
PolicyLoader = Callable[[str], tuple[str, str]]


def _no_loader(name: str) -> tuple[str, str]:
    raise CaseError(f"policy {name!r} is named, not written out, and no files can be read here")


def _parse(document: Any, kind: PolicyKind, name: str, load: PolicyLoader) -> Any:
    if isinstance(document, str) and not document.lstrip().startswith("{"):
        name, document = load(document)
    text = document if isinstance(document, str) else json.dumps(document, indent=2)
    return parse_policy(text, kind=kind, policy_id=name)


def _layer(documents: list[Any], kind: PolicyKind, name: str, load: PolicyLoader) -> PolicySet:
    return PolicySet(
        _parse(document, kind, f"{name}[{number}]" if len(documents) > 1 else name, load)
        for number, document in enumerate(documents)
    )


def case_from_dict(data: Mapping[str, Any], load: PolicyLoader = _no_loader) -> Case:
    """Build a case; raises CaseError (or PolicyError for a bad policy in it).

    A policy may be written out (a JSON object or text) or named by a string that `load` reads.
    """
    try:
        principal_data = data.get("principal") or {}
        request_data = data["request"]
        context = dict(request_data.get("context") or {})
        principal = None
        if principal_data:
            kind = _PRINCIPAL_TYPES[principal_data.get("type", "IAMUser")]
            role_arn = (
                context.get("aws:PrincipalArn") if kind is PrincipalType.ASSUMED_ROLE else None
            )
            principal = Principal(principal_data["arn"], kind, role_arn)
        request = Request(request_data["action"], request_data["resource"], context, principal)
        boundary, session, resource = (
            data.get("permissions_boundary"),
            data.get("session_policy"),
            data.get("resource_policy"),
        )
        scps = data.get("scps")
        identity = list(data.get("identity_policies") or [])
        policies = Policies(
            identity=_layer(identity, PolicyKind.IDENTITY, "identity", load),
            boundary=_layer([boundary], PolicyKind.BOUNDARY, "boundary", load)
            if boundary
            else None,
            session=_layer([session], PolicyKind.SESSION, "session", load) if session else None,
            resource=_layer([resource], PolicyKind.RESOURCE, "resource", load)
            if resource
            else None,
            scps=(
                tuple(
                    _layer(level, PolicyKind.SCP, f"scp-level-{n}", load)
                    for n, level in enumerate(scps)
                )
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
    except (PolicyError, CaseError):
        raise
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise CaseError(f"malformed case: {exc!r}") from None


def read_cases(
    text: str, load: PolicyLoader = _no_loader
) -> Iterator[tuple[int, Case | Exception]]:
    """Each non-blank line's number and its case, or the error that stopped it."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise CaseError("a case must be a JSON object")
            yield number, case_from_dict(data, load)
        except (json.JSONDecodeError, CaseError, PolicyError) as exc:
            yield number, exc
