"""Who asks, for what: the principal and the request an evaluation decides on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

ContextValue = str | Sequence[str]


class PrincipalType(StrEnum):
    USER = "IAMUser"
    ASSUMED_ROLE = "AssumedRoleSession"
    FEDERATED_USER = "FederatedUser"
    ROOT = "Root"
    ANONYMOUS = "Anonymous"
    # Callers of AssumeRoleWithWebIdentity and AssumeRoleWithSAML, before they have a session:
    # `arn` is the identity provider's ARN, which a trust policy names as a Federated principal.
    WEB_IDENTITY = "WebIdentityUser"
    SAML_USER = "SAMLUser"


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller. For a role session `arn` is the session ARN and `role_arn` the role's."""

    arn: str
    type: PrincipalType = PrincipalType.USER
    role_arn: str | None = None

    @property
    def account(self) -> str:
        parts = self.arn.split(":")
        return parts[4] if len(parts) > 4 else ""

    @property
    def account_arn(self) -> str:
        return f"arn:aws:iam::{self.account}:root"


@dataclass(slots=True)
class Request:
    """One request: an action on a resource, with its complete context.

    A key absent from `context` is absent from the request. Keys are matched case-insensitively;
    multivalued keys (aws:TagKeys …) carry a list of strings.
    """

    action: str
    resource: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    principal: Principal | None = None
    _action_key: str | None = field(default=None, repr=False)
    _lower_context: dict[str, ContextValue] | None = field(default=None, repr=False)

    @property
    def action_key(self) -> str:
        """The action in lower case, as the action index stores it."""
        if self._action_key is None:
            self._action_key = self.action.lower()
        return self._action_key

    @property
    def lower_context(self) -> dict[str, ContextValue]:
        """The context with lower-case keys; built on first use, since most decisions need none."""
        if self._lower_context is None:
            self._lower_context = {
                key.lower(): value if isinstance(value, str) else tuple(value)
                for key, value in self.context.items()
            }
        return self._lower_context


_ARN_TYPES = (
    (":assumed-role/", PrincipalType.ASSUMED_ROLE),
    (":federated-user/", PrincipalType.FEDERATED_USER),
    (":user/", PrincipalType.USER),
)
_CONTEXT_TYPES = {
    PrincipalType.USER: "User",
    PrincipalType.ASSUMED_ROLE: "AssumedRole",
    PrincipalType.FEDERATED_USER: "FederatedUser",
    PrincipalType.ROOT: "Account",
    PrincipalType.ANONYMOUS: "Anonymous",
    PrincipalType.WEB_IDENTITY: "WebIdentityUser",
    PrincipalType.SAML_USER: "SAMLUser",
}


def principal_from_arn(arn: str) -> Principal:
    """A principal read from its ARN: a user, a role session (role ARN derived), a federated user
    or the account root (`arn:aws:iam::ACCOUNT:root`)."""
    if arn.endswith(":root"):
        return Principal(arn, PrincipalType.ROOT)
    for marker, kind in _ARN_TYPES:
        if marker in arn:
            role_arn = None
            if kind is PrincipalType.ASSUMED_ROLE:
                head, _, rest = arn.partition(":assumed-role/")
                role_name = rest.split("/")[0]
                role_arn = f"{head.replace(':sts:', ':iam:')}:role/{role_name}"
            return Principal(arn, kind, role_arn)
    return Principal(arn, PrincipalType.USER)


def principal_context(principal: Principal) -> dict[str, str]:
    """The global condition keys a principal's ARN determines (AWS global condition keys page).

    aws:userid needs the unique id, which an ARN does not carry; callers that know it add it.
    """
    context = {
        "aws:PrincipalType": _CONTEXT_TYPES[principal.type],
        "aws:PrincipalAccount": principal.account,
    }
    if principal.type is PrincipalType.ROOT:
        context["aws:PrincipalArn"] = principal.arn
        context["aws:userid"] = principal.account
    elif principal.type is PrincipalType.ASSUMED_ROLE:
        context["aws:PrincipalArn"] = principal.role_arn or principal.arn
    else:
        context["aws:PrincipalArn"] = principal.arn
    if principal.type is PrincipalType.USER:
        context["aws:username"] = principal.arn.rsplit("/", 1)[-1]
    return context
