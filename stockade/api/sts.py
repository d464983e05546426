"""STS operations served beside IAM (the STS issue adds sessions and roles)."""

from __future__ import annotations

from stockade.api.context import Call
from stockade.api.registry import Result, operation


@operation("sts", "GetCallerIdentity", writes=False)
def get_caller_identity(call: Call) -> Result:
    # Needs no permission and cannot be denied (STS API Reference).
    caller = call.caller
    user_id = caller.account_id if caller.user is None else str(caller.user["user_id"])
    return {"UserId": user_id, "Account": caller.account_id, "Arn": caller.arn}
