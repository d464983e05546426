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


class MalformedCertificate(IdentityError):
    code = "MalformedCertificate"


class KeyPairMismatch(IdentityError):
    code = "KeyPairMismatch"


class DuplicateCertificate(IdentityError):
    code = "DuplicateCertificate"


class InvalidPublicKey(IdentityError):
    code = "InvalidPublicKey"


class DuplicateSSHPublicKey(IdentityError):
    code = "DuplicateSSHPublicKey"


class UnrecognizedPublicKeyEncoding(IdentityError):
    code = "UnrecognizedPublicKeyEncoding"


class NotSupportedService(IdentityError):
    code = "NotSupportedService"


class ValidationError(IdentityError):
    """A value the model allows but the operation does not accept, where the operation declares
    no error for it (AWS's common ValidationError, 400)."""

    code = "ValidationError"


class PolicyNotAttachable(IdentityError):
    code = "PolicyNotAttachable"


class AccessDenied(IdentityError):
    """A refusal the domain decides itself (an MFA code STS does not accept, say)."""

    code = "AccessDenied"


class InvalidParameterValue(IdentityError):
    code = "InvalidParameterValue"


class PackedPolicyTooLarge(IdentityError):
    code = "PackedPolicyTooLarge"
