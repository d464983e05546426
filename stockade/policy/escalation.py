"""Privilege escalation in IAM: the action combinations that let a principal give itself more
than it was given. Data only, shared by `stockade policy diff` and the posture checks.

The 21 methods Rhino Security Labs published ("AWS IAM Privilege Escalation - Methods and
Mitigation", Spencer Gietzen, 2018; the list Prowler's privilege-escalation checks and
Pacu's `iam__privesc_scan` start from), in their order, plus `sts:AssumeRole` on every role,
which Prowler checks on its own (iam_no_custom_policy_permissive_role_assumption). A method
applies when a principal is allowed every action it names; `resource`, when set, is the resource
the action must be allowed on (only `*` is used: "on any resource").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EscalationMethod:
    id: str  # stable, for machine output and suppressions
    title: str
    actions: tuple[str, ...]  # all of them are needed
    explanation: str
    resource: str | None = None  # the resource every action must be allowed on; None: any


def _method(
    id: str, title: str, actions: tuple[str, ...], explanation: str, resource: str | None = None
) -> EscalationMethod:
    return EscalationMethod(id, title, actions, explanation, resource)


ESCALATION_METHODS: tuple[EscalationMethod, ...] = (
    _method(
        "create-policy-version",
        "Create a new version of a managed policy",
        ("iam:CreatePolicyVersion",),
        "a new default version of a policy attached to the principal can grant anything",
    ),
    _method(
        "set-default-policy-version",
        "Switch a managed policy to another version",
        ("iam:SetDefaultPolicyVersion",),
        "an older, broader version of an attached policy can be made the default",
    ),
    _method(
        "pass-role-ec2",
        "Pass a role to a new EC2 instance",
        ("iam:PassRole", "ec2:RunInstances"),
        "an instance launched with a more privileged role hands its credentials to whoever "
        "controls the instance",
    ),
    _method(
        "create-access-key",
        "Create an access key for another user",
        ("iam:CreateAccessKey",),
        "keys for a more privileged user act as that user",
    ),
    _method(
        "create-login-profile",
        "Create a console password for another user",
        ("iam:CreateLoginProfile",),
        "a password set on a more privileged user opens the console as that user",
    ),
    _method(
        "update-login-profile",
        "Change another user's console password",
        ("iam:UpdateLoginProfile",),
        "resetting a more privileged user's password opens the console as that user",
    ),
    _method(
        "attach-user-policy",
        "Attach a managed policy to a user",
        ("iam:AttachUserPolicy",),
        "AdministratorAccess attached to oneself",
    ),
    _method(
        "attach-group-policy",
        "Attach a managed policy to a group",
        ("iam:AttachGroupPolicy",),
        "AdministratorAccess attached to one's own group",
    ),
    _method(
        "attach-role-policy",
        "Attach a managed policy to a role that can be assumed",
        ("iam:AttachRolePolicy", "sts:AssumeRole"),
        "AdministratorAccess attached to a role the principal may assume",
    ),
    _method(
        "put-user-policy",
        "Write an inline policy on a user",
        ("iam:PutUserPolicy",),
        "an inline policy granting anything, written on oneself",
    ),
    _method(
        "put-group-policy",
        "Write an inline policy on a group",
        ("iam:PutGroupPolicy",),
        "an inline policy granting anything, written on one's own group",
    ),
    _method(
        "put-role-policy",
        "Write an inline policy on a role that can be assumed",
        ("iam:PutRolePolicy", "sts:AssumeRole"),
        "an inline policy granting anything, on a role the principal may assume",
    ),
    _method(
        "add-user-to-group",
        "Add a user to a group",
        ("iam:AddUserToGroup",),
        "joining a more privileged group",
    ),
    _method(
        "update-assume-role-policy",
        "Rewrite a role's trust policy",
        ("iam:UpdateAssumeRolePolicy", "sts:AssumeRole"),
        "a more privileged role made to trust the principal, then assumed",
    ),
    _method(
        "pass-role-lambda-invoke",
        "Pass a role to a new Lambda function and invoke it",
        ("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"),
        "the function runs with the passed role's permissions",
    ),
    _method(
        "pass-role-lambda-event-source",
        "Pass a role to a new Lambda function triggered by an event source",
        ("iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"),
        "the function runs with the passed role's permissions when the event arrives",
    ),
    _method(
        "update-function-code",
        "Replace the code of an existing Lambda function",
        ("lambda:UpdateFunctionCode",),
        "the code runs with the function's role",
    ),
    _method(
        "pass-role-glue",
        "Pass a role to a new Glue development endpoint",
        ("iam:PassRole", "glue:CreateDevEndpoint"),
        "the endpoint's SSH access hands out the passed role's credentials",
    ),
    _method(
        "update-glue-dev-endpoint",
        "Add an SSH key to an existing Glue development endpoint",
        ("glue:UpdateDevEndpoint",),
        "the endpoint's role becomes reachable",
    ),
    _method(
        "pass-role-cloudformation",
        "Pass a role to a new CloudFormation stack",
        ("iam:PassRole", "cloudformation:CreateStack"),
        "the stack creates whatever the passed role may create",
    ),
    _method(
        "pass-role-data-pipeline",
        "Pass a role to a new Data Pipeline",
        ("iam:PassRole", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"),
        "the pipeline runs commands with the passed role",
    ),
    _method(
        "assume-any-role",
        "Assume any role",
        ("sts:AssumeRole",),
        "sts:AssumeRole on `*` reaches every role whose trust policy names the account",
        resource="*",
    ),
)

ESCALATION_ACTIONS: frozenset[str] = frozenset(
    action for method in ESCALATION_METHODS for action in method.actions
)
