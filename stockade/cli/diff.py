"""`stockade policy diff`: what a change of policies allows or denies that it did not before.

Three inputs: two policy documents; two versions of a managed policy (from a Stockade store with
--account, or from an authorization-details file); two authorization-details files, i.e. two
imports of one account, compared principal by principal. Exit status: 0 when nothing becomes
more permissive (no change, or only narrowing), 1 when something is widened or an escalation
becomes possible, 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stockade.policy import (
    PolicyError,
    PolicyKind,
    PolicySet,
    Principal,
    PrincipalType,
    parse_policy,
)
from stockade.policy.catalogue import load_catalogue
from stockade.policy.diff import Change, SubjectDiff, compare
from stockade.policy.evaluate import Policies
from stockade.policy.request import ContextValue, principal_context

if TYPE_CHECKING:
    from stockade.identity.authorization_details import AuthorizationDetails, Entity

EXIT_SAME, EXIT_WIDENED, EXIT_ERROR = 0, 1, 2


class DiffError(Exception):
    """Bad input: printed as one line, exit status 2."""


def register(sub: Any) -> None:
    from stockade.cli.server import storage_options

    diff = sub.add_parser(
        "diff",
        help="what a policy change allows or denies that it did not before",
        description="Compare two policy documents, two versions of a managed policy, or two "
        "authorization-details files (two imports of one account). Exit status: 0 nothing "
        "widened, 1 widened or escalation possible, 2 bad input.",
    )
    diff.add_argument("files", nargs="*", type=Path, metavar="OLD NEW")
    diff.add_argument("--policy-arn", metavar="ARN", help="compare two versions of this policy")
    diff.add_argument("--versions", nargs=2, metavar=("V1", "V2"))
    diff.add_argument(
        "--account",
        metavar="NAME|ID",
        help="read --policy-arn from this account of a Stockade store (a mirror or live one)",
    )
    diff.add_argument("--principal", metavar="ARN", help="only this principal (two imports)")
    diff.add_argument("--format", choices=["text", "json"], default="text")
    storage_options(diff)
    diff.set_defaults(run=run_diff)


def run_diff(args: argparse.Namespace) -> int:
    try:
        results = _diffs(args)
    except DiffError as exc:
        print(f"stockade policy diff: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.format == "json":
        print(json.dumps(_json(results), indent=2))
    else:
        print(_text(results))
    return EXIT_WIDENED if any(result.widened for result in results) else EXIT_SAME


# -- inputs ----------------------------------------------------------------------------------
def _diffs(args: argparse.Namespace) -> list[SubjectDiff]:
    if args.policy_arn or args.versions:
        if not (args.policy_arn and args.versions):
            raise DiffError("--policy-arn and --versions V1 V2 go together")
        return _version_diff(args)
    if len(args.files) != 2:
        raise DiffError("give OLD and NEW (two files), or --policy-arn ARN --versions V1 V2")
    old, new = (_load_json(path) for path in args.files)
    from stockade.identity.authorization_details import is_authorization_details

    kinds = {is_authorization_details(old), is_authorization_details(new)}
    if kinds == {True}:
        return _details_diff(args, _details(args.files[0], old), _details(args.files[1], new))
    if kinds == {False}:
        old_policy = _document(args.files[0], old)
        new_policy = _document(args.files[1], new)
        return [_document_diff(f"{args.files[0]} -> {args.files[1]}", old_policy, new_policy)]
    raise DiffError("OLD and NEW must both be policy documents or both authorization details")


def _load_json(path: Path) -> Any:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise DiffError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise DiffError(f"{path}: not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DiffError(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None


def _document(label: object, document: Any) -> Any:
    try:
        return parse_policy(document, kind=PolicyKind.IDENTITY, policy_id=str(label))
    except PolicyError as exc:
        raise DiffError(f"{label}: {exc}") from None


def _details(path: Path, data: Any) -> AuthorizationDetails:
    from stockade.identity.authorization_details import DetailsError, read_details

    try:
        return read_details(data)
    except DetailsError as exc:
        raise DiffError(f"{path}: {exc}") from None


def _document_diff(subject: str, old: Any, new: Any) -> SubjectDiff:
    return compare(
        subject,
        Policies(identity=PolicySet([old])),
        Policies(identity=PolicySet([new])),
        catalogue=load_catalogue(),
    )


def _version_diff(args: argparse.Namespace) -> list[SubjectDiff]:
    """The two versions as documents, then each user and role the policy bears on (attached to
    it, to one of its groups, or as its boundary) with one version as the default, then the
    other."""
    from stockade.identity.authorization_details import DetailsError

    v1, v2 = args.versions
    if args.account:
        if args.files:
            raise DiffError("--account reads the policy from the store: give no files")
        from stockade.cli.stored import StoredError, load_details

        try:
            details = load_details(args)
        except StoredError as exc:
            raise DiffError(str(exc)) from None
        where = f"account {details.account_id}"
    elif len(args.files) == 1:
        details = _details(args.files[0], _load_json(args.files[0]))
        where = str(args.files[0])
    else:
        raise DiffError("--policy-arn needs --account NAME or one authorization-details file")
    try:
        policy = details.policy(args.policy_arn)
        old, new = policy.version(v1), policy.version(v2)
    except DetailsError as exc:
        raise DiffError(f"{where}: {exc}") from None
    document = _document_diff(
        f"{args.policy_arn} {v1} -> {v2}",
        _document(f"{args.policy_arn} {v1}", old.document),
        _document(f"{args.policy_arn} {v2}", new.document),
    )
    principals = _details_diff(
        args,
        details.with_default_version(args.policy_arn, old.version_id),
        details.with_default_version(args.policy_arn, new.version_id),
    )
    return [document, *principals]


def _details_diff(
    args: argparse.Namespace, old: AuthorizationDetails, new: AuthorizationDetails
) -> list[SubjectDiff]:
    from stockade.identity.authorization_details import DetailsError

    if old.account_id != new.account_id:
        raise DiffError(
            f"the files are of two accounts ({old.account_id}, {new.account_id}): compare two "
            "imports of one account"
        )
    arns = dict.fromkeys(p.arn for p in (*old.principals, *new.principals))
    if args.principal:
        if args.principal not in arns:
            raise DiffError(f"{args.principal} is a user or role of neither file")
        arns = {args.principal: None}
    catalogue = load_catalogue()
    results = []
    for arn in arns:
        before, after = old.entity(arn), new.entity(arn)
        try:
            old_policies = _policies(old, before)
            new_policies = _policies(new, after)
        except DetailsError as exc:
            raise DiffError(str(exc)) from None
        if _texts(old_policies) == _texts(new_policies):
            continue  # the same documents decide the same way
        entity = after or before
        assert entity is not None
        principal = _principal(new.account_id, entity)
        subject = arn + ("" if before else " (new)") + ("" if after else " (removed)")
        results.append(
            compare(
                subject,
                old_policies,
                new_policies,
                catalogue=catalogue,
                principal=principal,
                context=_principal_keys(principal, entity),
            )
        )
    return results


def _policies(details: AuthorizationDetails, entity: Entity | None) -> Policies:
    return Policies() if entity is None else details.principal_policies(entity)


def _texts(policies: Policies) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(
        (layer.value, tuple(sorted(p.text for p in policy_set.policies)))
        for layer, policy_set in policies.layers
    )


def _principal(account_id: str, entity: Entity) -> Principal:
    if entity.kind == "role":
        session = f"arn:aws:sts::{account_id}:assumed-role/{entity.name}/stockade-diff"
        return Principal(session, PrincipalType.ASSUMED_ROLE, entity.arn)
    return Principal(entity.arn, PrincipalType.USER)


def _principal_keys(principal: Principal, entity: Entity) -> dict[str, ContextValue]:
    context: dict[str, ContextValue] = dict(principal_context(principal))
    for key, value in entity.tags:
        context[f"aws:PrincipalTag/{key}"] = value
    return context


# -- output ----------------------------------------------------------------------------------
def _json(results: list[SubjectDiff]) -> dict[str, Any]:
    return {
        "widened": any(r.widened for r in results),
        "subjects": [
            {
                "subject": r.subject,
                "widened": r.widened,
                "escalations": [
                    {
                        "id": e.method.id,
                        "title": e.method.title,
                        "actions": list(e.method.actions),
                        "conditional": e.conditional,
                        "explanation": e.method.explanation,
                    }
                    for e in r.gained
                ],
                "escalations_removed": [m.id for m in r.lost],
                "changes": [
                    {
                        "action": c.action,
                        "resource": c.resource,
                        "before": c.before.value,
                        "after": c.after.value,
                        "widened": c.widened,
                        "escalating": c.escalating,
                    }
                    for c in r.ordered_changes()
                ],
            }
            for r in results
        ],
    }


def _text(results: list[SubjectDiff]) -> str:
    if not results:
        return "No change: every principal's policies are the same."
    lines: list[str] = []
    for r in sorted(results, key=lambda r: (not r.gained, not r.widened, r.subject)):
        lines.append(r.subject)
        for e in r.gained:
            condition = " (conditionally)" if e.conditional else ""
            lines.append(
                f"  !! PRIVILEGE ESCALATION now possible{condition}: {e.method.title} "
                f"({' + '.join(e.method.actions)}{_on(e.method.resource)}): "
                f"{e.method.explanation}"
            )
        for m in r.lost:
            lines.append(f"  escalation no longer possible: {m.title}")
        if not r.changes:
            lines.append("  no action changes on the resources either side names")
        for (resource, before, after), changes in _grouped(r.ordered_changes()).items():
            sign = "+" if after.rank > before.rank else "-"
            lines.append(f"  {sign} {before.value} -> {after.value} on {resource}:")
            for label in _compressed(changes):
                lines.append(f"      {label}")
        lines.append("")
    return "\n".join(lines).rstrip()


def _on(resource: str | None) -> str:
    return f" on {resource}" if resource else ""


def _grouped(changes: list[Change]) -> dict[tuple[str, Any, Any], list[Change]]:
    grouped: dict[tuple[str, Any, Any], list[Change]] = defaultdict(list)
    for change in changes:
        grouped[(change.resource, change.before, change.after)].append(change)
    return grouped


def _compressed(changes: list[Change]) -> list[str]:
    """Escalating actions first and marked; a whole service as `service:*`."""
    catalogue = load_catalogue()
    by_service: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        by_service[change.action.partition(":")[0]].append(change)
    labels = [f"{c.action}  [escalation]" for c in changes if c.escalating]
    for service, items in by_service.items():
        rest = [c.action for c in items if not c.escalating]
        known = catalogue.service(service)
        if known is not None and len(rest) > 1 and len(items) == len(known.actions):
            labels.append(f"{service}:* (all {len(items)} actions)")
        else:
            labels.extend(rest)
    return labels
