"""Service-linked roles."""

from __future__ import annotations

from stockade.api.authorize import authorize
from stockade.api.context import Call
from stockade.api.registry import Result, operation, target
from stockade.identity import names, service_linked_roles
from stockade.identity.entities import ROLE


@operation("iam", "CreateServiceLinkedRole")
def create_service_linked_role(call: Call) -> Result:
    p = call.params
    service = p["AWSServiceName"]
    name = service_linked_roles.role_name(service, p.get("CustomSuffix"))
    role_arn = names.arn(
        call.caller.account_id, ROLE.name, service_linked_roles.role_path(service), name
    )
    authorize(call, "iam:CreateServiceLinkedRole", role_arn, {"iam:AWSServiceName": service})
    role = service_linked_roles.create(
        call.tx,
        call.caller.account_id,
        service,
        p.get("Description"),
        p.get("CustomSuffix"),
        call.services.quotas,
    )
    return {"Role": role}


@operation("iam", "DeleteServiceLinkedRole")
def delete_service_linked_role(call: Call) -> Result:
    name = call.params["RoleName"]
    target(call, ROLE, name, "iam:DeleteServiceLinkedRole")
    task_id = service_linked_roles.delete(call.tx, call.caller.account_id, name)
    return {"DeletionTaskId": task_id}


@operation("iam", "GetServiceLinkedRoleDeletionStatus")
def get_deletion_status(call: Call) -> Result:
    task_id = call.params["DeletionTaskId"]
    account = call.caller.account_id
    role_arn = service_linked_roles.task_role_arn(account, task_id)
    authorize(call, "iam:GetServiceLinkedRoleDeletionStatus", role_arn)
    return {"Status": service_linked_roles.deletion_status(call.tx, account, task_id)}
