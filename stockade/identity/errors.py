"""Domain errors, each with the AWS error code a client expects."""

from __future__ import annotations


class IdentityError(Exception):
    code = "ServiceFailure"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NoSuchEntity(IdentityError):
    code = "NoSuchEntity"


class EntityAlreadyExists(IdentityError):
    code = "EntityAlreadyExists"


class DeleteConflict(IdentityError):
    code = "DeleteConflict"


class LimitExceeded(IdentityError):
    code = "LimitExceeded"


class InvalidInput(IdentityError):
    code = "InvalidInput"


class MalformedPolicyDocument(IdentityError):
    code = "MalformedPolicyDocument"


class PasswordPolicyViolation(IdentityError):
    code = "PasswordPolicyViolation"


class InvalidAuthenticationCode(IdentityError):
    code = "InvalidAuthenticationCode"


class EntityTemporarilyUnmodifiable(IdentityError):
    code = "EntityTemporarilyUnmodifiable"


class UnmodifiableEntity(IdentityError):
    code = "UnmodifiableEntity"


class ConcurrentModification(IdentityError):
    code = "ConcurrentModification"


class ReportNotPresent(IdentityError):
    code = "ReportNotPresent"
