"""What a failed federation check tells the client: AWS's STS error code and a message.

The security layer knows nothing of the wire; the STS handlers turn a `FederationError` into the
error document with the status botocore's model gives the code. Which code for which failure
follows what AWS STS answers (docs/federation.md lists them):

- `InvalidIdentityToken` (400): the token or assertion cannot be trusted: malformed, signed by
  an unknown key, wrong issuer, wrong audience or recipient, a required attribute missing.
- `ExpiredTokenException` (400): trusted but past its expiry.
- `IDPCommunicationError` (400): the OIDC issuer's keys could not be fetched.
- `IDPRejectedClaim` (403): the identity provider itself reported that authentication failed
  (a SAML Response whose status is not Success).
"""

from __future__ import annotations

INVALID_IDENTITY_TOKEN = "InvalidIdentityToken"
EXPIRED_TOKEN = "ExpiredTokenException"
IDP_COMMUNICATION_ERROR = "IDPCommunicationError"
IDP_REJECTED_CLAIM = "IDPRejectedClaim"


class FederationError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"FederationError({self.code!r}, {self.message!r})"


def invalid(message: str) -> FederationError:
    return FederationError(INVALID_IDENTITY_TOKEN, message)
