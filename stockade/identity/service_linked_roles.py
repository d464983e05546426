"""Service-linked roles: a role an AWS service creates for itself, named by the service, under
`/aws-service-role/SERVICE/`, trusting only that service, with the service's AWS managed policy
attached. Only CreateServiceLinkedRole and DeleteServiceLinkedRole change one (roles.protected_role
refuses the rest). Deletion completes at once; its task id stays answerable."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from stockade.identity import entities, policies, roles
from stockade.identity.clock import now
from stockade.identity.entities import ROLE
from stockade.identity.errors import InvalidInput, NoSuchEntity, ValidationError
from stockade.identity.quotas import Quotas
from stockade.store import schema as t


@dataclass(frozen=True, slots=True)
class LinkedService:
    role_suffix: str  # the role is AWSServiceRoleFor + this
    policy: str  # the AWS managed policy under /aws-service-role/
    custom_suffix: bool = False  # whether the service lets a caller add `_suffix` to the name


# The services Stockade knows to create service-linked roles, with the names AWS gives their
# roles and policies ("AWS services that work with IAM"). AWS refuses services it does not know.
SERVICES = {
    "autoscaling.amazonaws.com": LinkedService(
        "AutoScaling", "AutoScalingServiceRolePolicy", custom_suffix=True
    ),
    "config.amazonaws.com": LinkedService("Config", "AWSConfigServiceRolePolicy"),
    "ecs.amazonaws.com": LinkedService("ECS", "AmazonECSServiceRolePolicy"),
    "eks.amazonaws.com": LinkedService("AmazonEKS", "AmazonEKSServiceRolePolicy"),
    "elasticbeanstalk.amazonaws.com": LinkedService(
        "ElasticBeanstalk", "AWSElasticBeanstalkServiceRolePolicy"
    ),
    "elasticloadbalancing.amazonaws.com": LinkedService(
        "ElasticLoadBalancing", "AWSElasticLoadBalancingServiceRolePolicy"
    ),
    "es.amazonaws.com": LinkedService(
        "AmazonElasticsearchService", "AmazonElasticsearchServiceRolePolicy"
    ),
    "guardduty.amazonaws.com": LinkedService("AmazonGuardDuty", "AmazonGuardDutyServiceRolePolicy"),
    "opensearchservice.amazonaws.com": LinkedService(
        "AmazonOpenSearchService", "AmazonOpenSearchServiceRolePolicy"
    ),
    "organizations.amazonaws.com": LinkedService(
        "Organizations", "AWSOrganizationsServiceTrustPolicy"
    ),
    "rds.amazonaws.com": LinkedService("RDS", "AmazonRDSServiceRolePolicy"),
    "spot.amazonaws.com": LinkedService("EC2Spot", "AWSEC2SpotServiceRolePolicy"),
    "support.amazonaws.com": LinkedService("Support", "AWSSupportServiceRolePolicy"),
    "trustedadvisor.amazonaws.com": LinkedService(
        "TrustedAdvisor", "AWSTrustedAdvisorServiceRolePolicy"
    ),
}

ROLE_NAME_MAX = 64
_TASK = re.compile(r"task/aws-service-role/([^/]+)/([^/]+)/[0-9a-f-]{36}")


def role_path(service: str) -> str:
    return f"/aws-service-role/{service}/"


def role_name(service: str, custom_suffix: str | None) -> str:
    linked = SERVICES.get(service)
    if linked is None:
        raise InvalidInput(f"Service {service} does not support service-linked roles.")
    name = f"AWSServiceRoleFor{linked.role_suffix}"
    if custom_suffix is None:
        return name
    if not linked.custom_suffix:
        raise InvalidInput(f"Custom suffix is not allowed for {service}.")
    name = f"{name}_{custom_suffix}"
    if len(name) > ROLE_NAME_MAX:
        raise InvalidInput(f"Role name {name} is longer than {ROLE_NAME_MAX} characters.")
    return name


def trust_policy(service: str) -> str:
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def create(
    tx: Connection,
    account_id: str,
    service: str,
    description: str | None,
    custom_suffix: str | None,
    quotas: Quotas,
) -> dict[str, Any]:
    name = role_name(service, custom_suffix)
    if entities.find(tx, ROLE, account_id, name) is not None:
        raise InvalidInput(
            f"Service role name {name} has been taken in this account, please try a different "
            "suffix."
        )
    role = roles.create_role(
        tx,
        account_id,
        name,
        role_path(service),
        trust_policy(service),
        quotas,
        description=description,
        service_linked=True,
    )
    policy_arn = f"arn:aws:iam::aws:policy/aws-service-role/{SERVICES[service].policy}"
    policies.attach(tx, account_id, ROLE, role["RoleId"], policy_arn, quotas, by_aws=True)
    return role


def delete(tx: Connection, account_id: str, name: str) -> str:
    """Delete the role with its policies and tags; the id of the (finished) deletion task."""
    row = roles.get_role(tx, account_id, name)
    if not row["service_linked"]:
        raise ValidationError(
            f"Role {name} is not a service-linked role: delete it with DeleteRole."
        )
    service = row["path"].removeprefix("/aws-service-role/").rstrip("/")
    policies.detach_all(tx, ROLE, row["role_id"])
    policies.delete_all_inline(tx, ROLE, row["role_id"])
    entities.delete(tx, ROLE, account_id, row)
    task_id = f"task/aws-service-role/{service}/{row['name']}/{uuid.uuid4()}"
    tx.execute(
        t.service_linked_role_deletions.insert().values(
            deletion_task_id=task_id, account_id=account_id, status="SUCCEEDED", created_at=now()
        )
    )
    return task_id


def task_role_arn(account_id: str, task_id: str) -> str:
    """The ARN of the role a deletion task is about: what GetServiceLinkedRoleDeletionStatus is
    authorized on."""
    match = _TASK.fullmatch(task_id)
    if match is None:
        raise InvalidInput(f"Invalid deletion task id {task_id}.")
    service, name = match.groups()
    return f"arn:aws:iam::{account_id}:role{role_path(service)}{name}"


def deletion_status(tx: Connection, account_id: str, task_id: str) -> str:
    table = t.service_linked_role_deletions
    status = tx.execute(
        select(table.c.status).where(
            table.c.deletion_task_id == task_id, table.c.account_id == account_id
        )
    ).scalar_one_or_none()
    if status is None:
        raise NoSuchEntity(f"Deletion task {task_id} cannot be found.")
    return str(status)
