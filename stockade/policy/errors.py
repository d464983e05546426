"""The one exception type the policy engine raises for bad input."""

from __future__ import annotations


class PolicyError(ValueError):
    """A policy document that cannot be accepted, with AWS's error code and message.

    `code` is the AWS error code a client would see (`MalformedPolicyDocument`, or `LimitExceeded`
    for a document over its size quota); `line` and `column` point into the document when known.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "MalformedPolicyDocument",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = f" (line {self.line}, column {self.column})" if self.line is not None else ""
        return f"{self.code}: {self.message}{where}"
