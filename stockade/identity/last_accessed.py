"""Service last accessed data (the console's "Access Advisor"): for a user, group, role or
managed policy, the services its policies allow, and when each was last used and by whom.

Which services: those an Allow statement of the subject's identity-based policies grants at
least one action of (a user's own and its groups', a group's, a role's, or the one policy's). As
in AWS, permissions boundaries, resource policies and SCPs do not count (IAM User Guide,
"Refining permissions in AWS using last accessed information").

Whose use: a user's own; a group's members'; a policy's users, groups' members and roles. What is
known of use is what each access key records of its last signed request (service, region, time,
at AccessKeyLastUsed's 15-minute granularity). So a service used through a key before another
one shows the later service only, and roles, whose sessions Stockade does not serve, show no
use. Action-level reports (ACTION_LEVEL) list no tracked actions: no action is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, select

from stockade.identity import policies, users
from stockade.identity.access_jobs import Job
from stockade.identity.aws_policies import aws_managed_policies, parsed_aws_policy
from stockade.identity.entities import GROUP, ROLE, USER, Kind, find, get_by_id
from stockade.identity.errors import InvalidInput, NoSuchEntity
from stockade.identity.principals import principal_policies
from stockade.policy import Effect, Policy, PolicyKind, parse_policy
from stockade.policy.catalogue import load_catalogue
from stockade.store import schema as t


@dataclass(frozen=True, slots=True)
class Member:
    """A user or role whose use counts for a report."""

    kind: Kind
    row: dict[str, Any]
    arn: str


@dataclass(frozen=True, slots=True)
class Use:
    service: str
    when: datetime
    region: str
    member: Member


@dataclass(frozen=True, slots=True)
class Subject:
    """What a report is about: its policies and the users and roles that use them."""

    arn: str
    policies: tuple[Policy, ...]
    members: tuple[Member, ...]


# -- which services a policy allows ------------------------------------------------------------


@cache
def _services_matching(pattern: str) -> frozenset[str]:
    """The service prefixes having an action `pattern` matches (any case, wildcards)."""
    catalogue = load_catalogue()
    prefix, sep, _ = pattern.lower().partition(":")
    if sep and "*" not in prefix and "?" not in prefix:
        service = catalogue.service(prefix)
        if service is None:
            return frozenset()
        if pattern.endswith(":*"):
            return frozenset({service.prefix})
    return frozenset(action.service for action in catalogue.expand(pattern))


@cache
def _services_outside(patterns: tuple[str, ...]) -> frozenset[str]:
    """The services with at least one action none of `patterns` (a NotAction) matches."""
    catalogue = load_catalogue()
    excluded = {
        action.full_name.lower() for pattern in patterns for action in catalogue.expand(pattern)
    }
    return frozenset(
        service.prefix
        for service in catalogue.services.values()
        if any(f"{service.prefix}:{name}" not in excluded for name in service.actions)
    )


def allowed_services(documents: Iterable[Policy]) -> set[str]:
    found: set[str] = set()
    for policy in documents:
        for statement in policy.statements:
            if statement.effect is not Effect.ALLOW:
                continue
            for pattern in statement.actions or ():
                found |= _services_matching(pattern)
            if statement.not_actions is not None:
                found |= _services_outside(tuple(sorted(statement.not_actions)))
    return found


# -- the subject of a job ------------------------------------------------------------------------


def _member(account_id: str, kind: Kind, row: dict[str, Any]) -> Member:
    return Member(kind, row, kind.arn(account_id, row))


def _attached_members(tx: Connection, account_id: str, policy_arn: str) -> tuple[Member, ...]:
    found: dict[str, Member] = {}
    for kind_name, entity_id in policies.entities_for_policy(tx, account_id, policy_arn):
        kind = {"user": USER, "group": GROUP, "role": ROLE}[kind_name]
        row = get_by_id(tx, kind, entity_id)
        if row is None:
            continue
        rows = users.members_of(tx, entity_id) if kind is GROUP else [row]
        for member_row in rows:
            member = _member(account_id, USER if kind is GROUP else kind, member_row)
            found.setdefault(member.arn, member)
    return tuple(found.values())


def _subject_row(tx: Connection, account_id: str, kind: Kind, entity_id: str) -> dict[str, Any]:
    row = get_by_id(tx, kind, entity_id)
    if row is None or row["account_id"] != account_id:
        raise NoSuchEntity("The job's entity no longer exists.")
    return row


def subject_of(tx: Connection, account_id: str, job: Job) -> Subject:
    """What `job` reports on, as it stands now."""
    if job.kind == "aws-policy":
        document = parsed_aws_policy(job.subject)
        return Subject(job.subject, (document,), _attached_members(tx, account_id, job.subject))
    if job.kind == "policy":
        found = (
            tx.execute(
                select(t.managed_policies.c.arn).where(
                    t.managed_policies.c.policy_id == job.subject,
                    t.managed_policies.c.account_id == account_id,
                )
            )
            .scalars()
            .first()
        )
        if found is None:
            raise NoSuchEntity("The job's policy no longer exists.")
        text = policies.default_document(tx, account_id, found)
        document = parse_policy(text, kind=PolicyKind.IDENTITY, policy_id=found)
        return Subject(found, (document,), _attached_members(tx, account_id, found))
    kind = {"user": USER, "group": GROUP, "role": ROLE}[job.kind]
    row = _subject_row(tx, account_id, kind, job.subject)
    identity = tuple(s.policy for s in principal_policies(tx, account_id, kind, row).identity)
    if kind is GROUP:
        members = tuple(_member(account_id, USER, m) for m in users.members_of(tx, job.subject))
    else:
        members = (_member(account_id, kind, row),)
    return Subject(kind.arn(account_id, row), identity, members)


def job_for_arn(tx: Connection, account_id: str, arn: str) -> tuple[str, str]:
    """(kind, subject) of a GenerateServiceLastAccessedDetails Arn; NoSuchEntity if none."""
    if arn in aws_managed_policies():
        return "aws-policy", arn
    parts = arn.split(":", 5)
    ours = len(parts) == 6 and parts[:5] == ["arn", "aws", "iam", "", account_id]
    kind_name = parts[5].split("/", 1)[0] if ours else ""
    if kind_name not in ("user", "group", "role", "policy"):
        raise InvalidInput(f"ARN {arn} is not the ARN of a user, group, role or policy.")
    if kind_name == "policy":
        found = (
            tx.execute(
                select(t.managed_policies.c.policy_id).where(
                    t.managed_policies.c.account_id == account_id,
                    t.managed_policies.c.arn == arn,
                )
            )
            .scalars()
            .first()
        )
        if found is not None:
            return "policy", str(found)
    kinds = {"user": USER, "group": GROUP, "role": ROLE}
    if kind_name in kinds:
        kind = kinds[kind_name]
        name = arn.rsplit("/", 1)[-1]
        row = find(tx, kind, account_id, name)
        if row is not None and kind.arn(account_id, row) == arn:
            return kind.name, str(row[kind.id_column])
    raise NoSuchEntity(f"The entity {arn} cannot be found.")


# -- the report ----------------------------------------------------------------------------------


def uses_of(tx: Connection, members: Iterable[Member]) -> list[Use]:
    """Each member's recorded use of services, from its access keys."""
    by_user = {str(m.row["user_id"]): m for m in members if m.kind is USER}
    if not by_user:
        return []
    keys = t.access_keys.c
    rows = tx.execute(
        select(keys.user_id, keys.last_used_service, keys.last_used_at, keys.last_used_region)
        .where(keys.user_id.in_(list(by_user)), keys.last_used_service.is_not(None))
        .order_by(keys.access_key_id)
    ).mappings()
    return [
        Use(
            str(r["last_used_service"]),
            r["last_used_at"],
            str(r["last_used_region"] or ""),
            by_user[str(r["user_id"])],
        )
        for r in rows
        if r["last_used_at"] is not None
    ]


def services_report(tx: Connection, subject: Subject) -> list[dict[str, Any]]:
    """ServicesLastAccessed: one entry per allowed service; those used come first, the most
    recent first, then the rest in namespace order. AWS documents no order; this one puts what
    was used on the first page, which is all that many tools read."""
    catalogue = load_catalogue()
    uses = uses_of(tx, subject.members)
    report = []
    for namespace in sorted(allowed_services(subject.policies)):
        service = catalogue.service(namespace)
        mine = [u for u in uses if u.service == namespace]
        entry: dict[str, Any] = {
            "ServiceName": service.name if service is not None else namespace,
            "ServiceNamespace": namespace,
            "TotalAuthenticatedEntities": len({u.member.arn for u in mine}),
        }
        if mine:
            latest = max(mine, key=lambda u: u.when)
            entry["LastAuthenticated"] = latest.when
            entry["LastAuthenticatedEntity"] = latest.member.arn
            entry["LastAuthenticatedRegion"] = latest.region
        report.append(entry)
    report.sort(key=_used_first)
    return report


def _used_first(entry: dict[str, Any]) -> tuple[bool, float, str]:
    when = entry.get("LastAuthenticated")
    return when is None, -when.timestamp() if when else 0.0, entry["ServiceNamespace"]


def entities_report(tx: Connection, subject: Subject, namespace: str) -> list[dict[str, Any]]:
    """EntityDetailsList for one service: the users and roles that could have used the subject's
    permissions for it, the most recent use first, then by name."""
    if namespace.lower() not in allowed_services(subject.policies):
        return []
    last: dict[str, datetime] = {}
    for use in uses_of(tx, subject.members):
        if use.service == namespace.lower() and (
            use.member.arn not in last or use.when > last[use.member.arn]
        ):
            last[use.member.arn] = use.when
    details = []
    for member in subject.members:
        info = {
            "Arn": member.arn,
            "Name": member.row["name"],
            "Type": member.kind.name.upper(),
            "Id": member.row[member.kind.id_column],
            "Path": member.row["path"],
        }
        entry: dict[str, Any] = {"EntityInfo": info}
        if member.arn in last:
            entry["LastAuthenticated"] = last[member.arn]
        details.append(entry)
    details.sort(key=_most_recent_first)
    return details


def _most_recent_first(entry: dict[str, Any]) -> tuple[bool, float, str]:
    when = entry.get("LastAuthenticated")
    return when is None, -when.timestamp() if when else 0.0, entry["EntityInfo"]["Name"]
