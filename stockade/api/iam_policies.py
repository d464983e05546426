"""Managed policies, versions, attachments and inline policies."""

from __future__ import annotations

from typing import Any

from stockade.api.authorize import authorize
from stockade.api.context import Call
from stockade.api.registry import Result, operation, paginate, tag_context, target
from stockade.identity import entities, names, policies, roles, tags
from stockade.identity.entities import GROUP, KINDS, ROLE, USER, Kind
from stockade.identity.errors import InvalidInput


def _policy_arn_for(call: Call, action: str, extra: dict[str, Any] | None = None) -> str:
    policy_arn = str(call.params["PolicyArn"])
    authorize(call, action, policy_arn, extra)
    return policy_arn


@operation("iam", "CreatePolicy")
def create_policy(call: Call) -> Result:
    p = call.params
    path = p.get("Path") or "/"
    account = call.caller.account_id
    authorize(
        call,
        "iam:CreatePolicy",
        f"arn:aws:iam::{account}:policy{path}{p['PolicyName']}",
        tag_context(call),
    )
    policy = policies.create_policy(
        call.tx,
        account,
        p["PolicyName"],
        path,
        p["PolicyDocument"],
        p.get("Description"),
        call.services.quotas,
    )
    if p.get("Tags"):
        tags.tag(call.tx, account, policy["Arn"], p["Tags"], call.services.quotas)
        policy["Tags"] = tags.list_tags(call.tx, policy["Arn"])
    return {"Policy": policy}


@operation("iam", "GetPolicy")
def get_policy(call: Call) -> Result:
    policy_arn = _policy_arn_for(call, "iam:GetPolicy")
    policy = policies.get_policy(call.tx, call.caller.account_id, policy_arn)
    policy["Tags"] = tags.list_tags(call.tx, policy_arn) or None
    return {"Policy": policy}


@operation("iam", "ListPolicies")
def list_policies(call: Call) -> Result:
    p = call.params
    account = call.caller.account_id
    authorize(call, "iam:ListPolicies", f"arn:aws:iam::{account}:policy/")
    found = policies.list_policies(
        call.tx,
        account,
        scope=p.get("Scope") or "All",
        only_attached=bool(p.get("OnlyAttached")),
        path_prefix=p.get("PathPrefix"),
        usage_filter=p.get("PolicyUsageFilter"),
    )
    return paginate(call, found, "Policies")


@operation("iam", "DeletePolicy")
def delete_policy(call: Call) -> Result:
    policies.delete_policy(
        call.tx, call.caller.account_id, _policy_arn_for(call, "iam:DeletePolicy")
    )
    return None


@operation("iam", "CreatePolicyVersion")
def create_policy_version(call: Call) -> Result:
    p = call.params
    version = policies.create_version(
        call.tx,
        call.caller.account_id,
        _policy_arn_for(call, "iam:CreatePolicyVersion"),
        p["PolicyDocument"],
        bool(p.get("SetAsDefault")),
        call.services.quotas,
    )
    return {"PolicyVersion": version}


@operation("iam", "GetPolicyVersion")
def get_policy_version(call: Call) -> Result:
    policy_arn = _policy_arn_for(call, "iam:GetPolicyVersion")
    return {
        "PolicyVersion": policies.get_version(
            call.tx, call.caller.account_id, policy_arn, call.params["VersionId"]
        )
    }


@operation("iam", "ListPolicyVersions")
def list_policy_versions(call: Call) -> Result:
    policy_arn = _policy_arn_for(call, "iam:ListPolicyVersions")
    return paginate(
        call, policies.list_versions(call.tx, call.caller.account_id, policy_arn), "Versions"
    )


@operation("iam", "DeletePolicyVersion")
def delete_policy_version(call: Call) -> Result:
    policy_arn = _policy_arn_for(call, "iam:DeletePolicyVersion")
    policies.delete_version(call.tx, call.caller.account_id, policy_arn, call.params["VersionId"])
    return None


@operation("iam", "SetDefaultPolicyVersion")
def set_default_policy_version(call: Call) -> Result:
    policy_arn = _policy_arn_for(call, "iam:SetDefaultPolicyVersion")
    policies.set_default_version(
        call.tx, call.caller.account_id, policy_arn, call.params["VersionId"]
    )
    return None


@operation("iam", "TagPolicy")
def tag_policy(call: Call) -> Result:
    policy_arn = _policy_arn_for(call, "iam:TagPolicy", tag_context(call))
    policies.get_policy(call.tx, call.caller.account_id, policy_arn)
    if policy_arn.startswith(names.AWS_POLICY_ARN_PREFIX):
        raise InvalidInput("AWS managed policies cannot be tagged.")
    tags.tag(call.tx, call.caller.account_id, policy_arn, call.params["Tags"], call.services.quotas)
    return None


@operation("iam", "UntagPolicy")
def untag_policy(call: Call) -> Result:
    policy_arn = _policy_arn_for(call, "iam:UntagPolicy", {"aws:TagKeys": call.params["TagKeys"]})
    policies.get_policy(call.tx, call.caller.account_id, policy_arn)
    tags.untag(call.tx, policy_arn, call.params["TagKeys"])
    return None


@operation("iam", "ListPolicyTags")
def list_policy_tags(call: Call) -> Result:
    policy_arn = _policy_arn_for(call, "iam:ListPolicyTags")
    policies.get_policy(call.tx, call.caller.account_id, policy_arn)
    return paginate(call, tags.list_tags(call.tx, policy_arn), "Tags")


# -- attachments -----------------------------------------------------------------------------
_ENTITY_PARAM = {"user": "UserName", "group": "GroupName", "role": "RoleName"}


def _attach_handlers(kind: Kind) -> None:
    label = kind.label.capitalize()
    param = _ENTITY_PARAM[kind.name]
    id_column = kind.id_column

    def writable(row: dict[str, Any]) -> dict[str, Any]:
        # A service-linked role changes only through its service.
        if kind is ROLE and row.get("service_linked"):
            raise roles.protected_role(row)
        return row

    def attach(call: Call) -> Result:
        policy_arn = call.params["PolicyArn"]
        row = target(
            call,
            kind,
            call.params[param],
            f"iam:Attach{label}Policy",
            {"iam:PolicyARN": policy_arn},
        )
        writable(row)
        policies.attach(
            call.tx, call.caller.account_id, kind, row[id_column], policy_arn, call.services.quotas
        )
        return None

    def detach(call: Call) -> Result:
        policy_arn = call.params["PolicyArn"]
        row = target(
            call,
            kind,
            call.params[param],
            f"iam:Detach{label}Policy",
            {"iam:PolicyARN": policy_arn},
        )
        writable(row)
        policies.detach(call.tx, call.caller.account_id, kind, row[id_column], policy_arn)
        return None

    def list_attached(call: Call) -> Result:
        row = target(call, kind, call.params[param], f"iam:ListAttached{label}Policies")
        found = policies.attached_policies(
            call.tx, kind, row[id_column], call.params.get("PathPrefix")
        )
        return paginate(call, found, "AttachedPolicies")

    def put_inline(call: Call) -> Result:
        row = writable(target(call, kind, call.params[param], f"iam:Put{label}Policy"))
        policies.put_inline(
            call.tx,
            call.caller.account_id,
            kind,
            row[id_column],
            call.params["PolicyName"],
            call.params["PolicyDocument"],
        )
        return None

    def get_inline(call: Call) -> Result:
        row = target(call, kind, call.params[param], f"iam:Get{label}Policy")
        name = call.params["PolicyName"]
        document = policies.get_inline(call.tx, kind, row[id_column], name, row["name"])
        return {
            param: row["name"],
            "PolicyName": name,
            "PolicyDocument": policies.encode_document(document),
        }

    def list_inline(call: Call) -> Result:
        row = target(call, kind, call.params[param], f"iam:List{label}Policies")
        return paginate(call, policies.inline_names(call.tx, kind, row[id_column]), "PolicyNames")

    def delete_inline(call: Call) -> Result:
        row = writable(target(call, kind, call.params[param], f"iam:Delete{label}Policy"))
        policies.delete_inline(
            call.tx, call.caller.account_id, kind, row[id_column], call.params["PolicyName"]
        )
        return None

    operation("iam", f"Attach{label}Policy")(attach)
    operation("iam", f"Detach{label}Policy")(detach)
    operation("iam", f"ListAttached{label}Policies")(list_attached)
    operation("iam", f"Put{label}Policy")(put_inline)
    operation("iam", f"Get{label}Policy")(get_inline)
    operation("iam", f"List{label}Policies")(list_inline)
    operation("iam", f"Delete{label}Policy")(delete_inline)


for _kind in (USER, GROUP, ROLE):
    _attach_handlers(_kind)


@operation("iam", "ListEntitiesForPolicy")
def list_entities_for_policy(call: Call) -> Result:
    policy_arn = _policy_arn_for(call, "iam:ListEntitiesForPolicy")
    account = call.caller.account_id
    wanted = call.params.get("EntityFilter")
    found: dict[str, list[dict[str, Any]]] = {
        "PolicyGroups": [],
        "PolicyUsers": [],
        "PolicyRoles": [],
    }
    for kind_name, entity_id in policies.entities_for_policy(call.tx, account, policy_arn):
        kind = KINDS[kind_name]
        row = entities.get_by_id(call.tx, kind, entity_id)
        if row is None or (wanted and wanted.lower() != kind_name):
            continue
        label = kind.label.capitalize()
        found[f"Policy{label}s"].append({f"{label}Name": row["name"], f"{label}Id": entity_id})
    for key in found:
        found[key].sort(key=lambda item: next(iter(item.values())).lower())
    return {**found, "IsTruncated": False}
