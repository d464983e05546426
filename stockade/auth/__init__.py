"""The security layer: SigV4 verification, secrets at rest, passwords, identifiers, TOTP MFA.

Pure functions and small classes: no HTTP framework, no database, no logging. Typical use by
the wire layer::

    from stockade.auth import SignatureError, read_signature, verify_signature

    signed = read_signature(method, query_string, headers)
    verify_signature(signed, method=method, path=raw_path, query_string=query_string,
                     headers=headers, body=body, secret_access_key=secret, now=now)
"""

from stockade.auth.identifiers import (
    new_access_key_id,
    new_account_id,
    new_request_id,
    new_secret_access_key,
    new_unique_id,
)
from stockade.auth.passwords import hash_password, needs_rehash, verify_password
from stockade.auth.secrets import SecretBox, SecretsError
from stockade.auth.sigv4 import (
    SignatureError,
    SignedRequest,
    check_scope,
    read_signature,
    signing_key,
    verify_signature,
)
from stockade.auth.totp import (
    match_code,
    match_consecutive,
    new_seed,
    provisioning_uri,
    qr_png,
)

__all__ = [
    "SecretBox",
    "SecretsError",
    "SignatureError",
    "SignedRequest",
    "check_scope",
    "hash_password",
    "match_code",
    "match_consecutive",
    "needs_rehash",
    "new_access_key_id",
    "new_account_id",
    "new_request_id",
    "new_secret_access_key",
    "new_seed",
    "new_unique_id",
    "provisioning_uri",
    "qr_png",
    "read_signature",
    "signing_key",
    "verify_password",
    "verify_signature",
]
