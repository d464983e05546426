"""The error every layer raises for a client to see, and the statuses AWS gives unmodelled codes."""

from __future__ import annotations


class AWSError(Exception):
    """An error a client gets in AWS's shape.

    `status` is the HTTP status; when None, the service protocol resolves it from the code (the
    model's error shapes first, then `DEFAULT_STATUS`). `sender` says whose fault it is: the
    `<Type>` element reads `Sender` or `Receiver`.
    """

    def __init__(
        self, code: str, message: str, status: int | None = None, *, sender: bool = True
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.sender = sender

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"AWSError({self.code!r}, {self.message!r}, {self.status!r}, sender={self.sender!r})"


# Codes AWS sends for every Query service but that no service model declares as an error shape
# (they belong to the common layer: authentication, throttling, the protocol itself).
DEFAULT_STATUS: dict[str, int] = {
    "ValidationError": 400,
    "InvalidAction": 400,
    "MissingAction": 400,
    "InvalidParameterValue": 400,
    "InvalidParameterCombination": 400,
    "MissingParameter": 400,
    "MalformedQueryString": 404,
    "AccessDenied": 403,
    "AccessDeniedException": 403,
    "InvalidClientTokenId": 403,
    "SignatureDoesNotMatch": 403,
    "IncompleteSignature": 400,
    "MissingAuthenticationToken": 403,
    "OptInRequired": 403,
    "RequestExpired": 400,
    "ExpiredToken": 400,
    "Throttling": 400,
    "NotImplemented": 501,
    "InternalFailure": 500,
    "InternalError": 500,
    "ServiceUnavailable": 503,
}
