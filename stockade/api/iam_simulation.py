"""The IAM policy simulator and the context keys its policies use."""

from __future__ import annotations

from typing import Any

from stockade.api.authorize import authorize
from stockade.api.context import Call
from stockade.api.registry import Result, operation, paginate, target
from stockade.identity import simulation
from stockade.identity.entities import KINDS, Kind
from stockade.identity.errors import NoSuchEntity
from stockade.protocol import AWSError


def _policy_source(call: Call, action: str) -> tuple[Kind, dict[str, Any]]:
    """The user, group or role PolicySourceArn names, once the caller may `action` on it."""
    source_arn = str(call.params["PolicySourceArn"])
    entity = simulation.entity_arn(source_arn, "PolicySourceArn")
    kind = KINDS[entity.kind]
    missing = NoSuchEntity(f"The {kind.label} with name {entity.name} cannot be found.")
    if entity.account_id != call.caller.account_id:
        authorize(call, action, source_arn)
        raise missing
    row = target(call, kind, entity.name, action)
    if kind.arn(call.caller.account_id, row) != source_arn:  # same name, another path
        raise missing
    return kind, row


def _input(call: Call) -> simulation.SimulationInput:
    p = call.params
    return simulation.SimulationInput(
        policy_inputs=p.get("PolicyInputList") or (),
        boundary_inputs=p.get("PermissionsBoundaryPolicyInputList") or (),
        resource_policy=p.get("ResourcePolicy"),
        organization_inputs=[
            level.get("ServiceControlPolicyInputList") or ()
            for level in p.get("OrderedOrganizationPolicyInputList") or ()
        ],
        caller_arn=p.get("CallerArn"),
        resource_owner=p.get("ResourceOwner"),
        context_entries=p.get("ContextEntries") or (),
    )


def _results(call: Call, simulated: simulation.Simulation) -> Result:
    actions = call.params["ActionNames"]
    simulation.check_actions(actions)
    resources = call.params.get("ResourceArns") or ()
    result = paginate(call, actions, "EvaluationResults")
    # Only the actions of this page are simulated.
    result["EvaluationResults"] = [
        simulated.result(action, resources) for action in result["EvaluationResults"]
    ]
    return result


@operation("iam", "SimulatePrincipalPolicy", from_memory=True)
def simulate_principal_policy(call: Call) -> Result:
    kind, row = _policy_source(call, "iam:SimulatePrincipalPolicy")
    if call.params.get("PolicyExclusionList"):
        # Refused rather than ignored: ignoring it would answer for policies the caller left out.
        raise AWSError("NotImplemented", "Stockade does not offer PolicyExclusionList yet.", 501)
    account_id = call.caller.account_id
    held, compiled = call.services.policy_cache.principal(
        call.tx, account_id, kind, row, call.caller.generation
    )
    simulated = simulation.principal_simulation(account_id, kind, row, held, compiled, _input(call))
    return _results(call, simulated)


@operation("iam", "SimulateCustomPolicy")
def simulate_custom_policy(call: Call) -> Result:
    authorize(call, "iam:SimulateCustomPolicy", "*")
    return _results(call, simulation.custom_simulation(call.caller.account_id, _input(call)))


@operation("iam", "GetContextKeysForPrincipalPolicy")
def get_context_keys_for_principal_policy(call: Call) -> Result:
    kind, row = _policy_source(call, "iam:GetContextKeysForPrincipalPolicy")
    keys = simulation.principal_context_keys(
        call.tx, call.caller.account_id, kind, row, call.params.get("PolicyInputList") or ()
    )
    return {"ContextKeyNames": keys}


@operation("iam", "GetContextKeysForCustomPolicy")
def get_context_keys_for_custom_policy(call: Call) -> Result:
    authorize(call, "iam:GetContextKeysForCustomPolicy", "*")
    return {"ContextKeyNames": simulation.custom_context_keys(call.params["PolicyInputList"])}
