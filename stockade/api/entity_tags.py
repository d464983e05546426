"""TagUser/UntagUser/ListUserTags and the same three for roles: one set of handlers per kind."""

from __future__ import annotations

from stockade.api.context import Call
from stockade.api.registry import Result, operation, paginate, tag_context, target
from stockade.identity import tags
from stockade.identity.entities import ROLE, USER, Kind


def _register(kind: Kind, param: str) -> None:
    label = kind.label.capitalize()

    def tag_entity(call: Call) -> Result:
        row = target(call, kind, call.params[param], f"iam:Tag{label}", tag_context(call))
        account = call.caller.account_id
        tags.tag(
            call.tx, account, kind.arn(account, row), call.params["Tags"], call.services.quotas
        )
        return None

    def untag_entity(call: Call) -> Result:
        keys = call.params["TagKeys"]
        row = target(call, kind, call.params[param], f"iam:Untag{label}", {"aws:TagKeys": keys})
        tags.untag(call.tx, kind.arn(call.caller.account_id, row), keys)
        return None

    def list_entity_tags(call: Call) -> Result:
        row = target(call, kind, call.params[param], f"iam:List{label}Tags")
        return paginate(
            call, tags.list_tags(call.tx, kind.arn(call.caller.account_id, row)), "Tags"
        )

    operation("iam", f"Tag{label}")(tag_entity)
    operation("iam", f"Untag{label}")(untag_entity)
    operation("iam", f"List{label}Tags")(list_entity_tags)


_register(USER, "UserName")
_register(ROLE, "RoleName")
