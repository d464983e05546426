"""Server certificates and users' signing certificates."""

from __future__ import annotations

from typing import Any

from stockade.api.authorize import authorize
from stockade.api.context import Call
from stockade.api.registry import Result, caller_user_name, operation, paginate, tag_context, target
from stockade.api.resource_tags import aws_resource_tags
from stockade.identity import names, server_certificates, signing_certificates, tags
from stockade.identity.entities import USER


# -- server certificates ---------------------------------------------------------------------
def _server_certificate(
    call: Call, action: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The named certificate, once the caller may do `action` on it (on its path-less ARN when it
    does not exist, so that a caller without permission learns nothing)."""
    name = call.params["ServerCertificateName"]
    account = call.caller.account_id
    row = server_certificates.find(call.tx, account, name)
    path = "/" if row is None else row["path"]
    certificate_arn = server_certificates.certificate_arn(account, path, name)
    context = {**aws_resource_tags(call, certificate_arn), **(extra or {})}
    authorize(call, action, certificate_arn, context)
    if row is None:
        raise server_certificates.not_found(name)
    return row


def _server_certificate_arn(call: Call, row: dict[str, Any]) -> str:
    return server_certificates.certificate_arn(call.caller.account_id, row["path"], row["name"])


@operation("iam", "UploadServerCertificate")
def upload_server_certificate(call: Call) -> Result:
    p = call.params
    path = p.get("Path") or "/"
    account = call.caller.account_id
    certificate_arn = server_certificates.certificate_arn(account, path, p["ServerCertificateName"])
    authorize(call, "iam:UploadServerCertificate", certificate_arn, tag_context(call))
    metadata = server_certificates.upload(
        call.tx,
        call.services.box,
        account,
        p["ServerCertificateName"],
        path,
        p["CertificateBody"],
        p["PrivateKey"],
        p.get("CertificateChain"),
        call.services.quotas,
        p.get("Tags") or (),
    )
    return {
        "ServerCertificateMetadata": metadata,
        "Tags": tags.list_tags(call.tx, metadata["Arn"]) or None,
    }


@operation("iam", "GetServerCertificate")
def get_server_certificate(call: Call) -> Result:
    row = _server_certificate(call, "iam:GetServerCertificate")
    return {"ServerCertificate": server_certificates.view(call.tx, call.caller.account_id, row)}


@operation("iam", "ListServerCertificates")
def list_server_certificates(call: Call) -> Result:
    authorize(call, "iam:ListServerCertificates", "*")  # no resource-level permissions
    found = server_certificates.listing(
        call.tx, call.caller.account_id, call.params.get("PathPrefix")
    )
    return paginate(call, found, "ServerCertificateMetadataList")


@operation("iam", "UpdateServerCertificate")
def update_server_certificate(call: Call) -> Result:
    p = call.params
    row = _server_certificate(call, "iam:UpdateServerCertificate")
    new_name, new_path = p.get("NewServerCertificateName"), p.get("NewPath")
    # AWS asks for permission on the new name and path as well as on the old.
    account = call.caller.account_id
    renamed = server_certificates.certificate_arn(
        account, new_path or row["path"], new_name or row["name"]
    )
    authorize(call, "iam:UpdateServerCertificate", renamed)
    server_certificates.rename(call.tx, account, row, new_name, new_path)
    return None


@operation("iam", "DeleteServerCertificate")
def delete_server_certificate(call: Call) -> Result:
    row = _server_certificate(call, "iam:DeleteServerCertificate")
    server_certificates.delete(call.tx, call.caller.account_id, row)
    return None


@operation("iam", "TagServerCertificate")
def tag_server_certificate(call: Call) -> Result:
    row = _server_certificate(call, "iam:TagServerCertificate", tag_context(call))
    tags.tag(
        call.tx,
        call.caller.account_id,
        _server_certificate_arn(call, row),
        call.params["Tags"],
        call.services.quotas,
    )
    return None


@operation("iam", "UntagServerCertificate")
def untag_server_certificate(call: Call) -> Result:
    keys = call.params["TagKeys"]
    row = _server_certificate(call, "iam:UntagServerCertificate", {"aws:TagKeys": keys})
    tags.untag(call.tx, _server_certificate_arn(call, row), keys)
    return None


@operation("iam", "ListServerCertificateTags")
def list_server_certificate_tags(call: Call) -> Result:
    row = _server_certificate(call, "iam:ListServerCertificateTags")
    return paginate(call, tags.list_tags(call.tx, _server_certificate_arn(call, row)), "Tags")


# -- signing certificates --------------------------------------------------------------------
def _signer(call: Call, action: str) -> tuple[str | None, str]:
    """(user id, user name) whose signing certificates an operation is about: without UserName,
    the caller's own, which for the root user are the account's (user id None), as with keys."""
    if not call.params.get("UserName") and call.caller.is_root:
        authorize(call, action, names.root_arn(call.caller.account_id))
        return None, call.caller.account_id
    row = target(call, USER, caller_user_name(call), action)
    return str(row["user_id"]), str(row["name"])


@operation("iam", "UploadSigningCertificate")
def upload_signing_certificate(call: Call) -> Result:
    user_id, name = _signer(call, "iam:UploadSigningCertificate")
    certificate = signing_certificates.upload(
        call.tx,
        call.caller.account_id,
        user_id,
        name,
        call.params["CertificateBody"],
        call.services.quotas,
    )
    return {"Certificate": certificate}


@operation("iam", "ListSigningCertificates")
def list_signing_certificates(call: Call) -> Result:
    user_id, name = _signer(call, "iam:ListSigningCertificates")
    found = signing_certificates.list_certificates(call.tx, call.caller.account_id, user_id, name)
    return paginate(call, found, "Certificates")


@operation("iam", "UpdateSigningCertificate")
def update_signing_certificate(call: Call) -> Result:
    user_id, _ = _signer(call, "iam:UpdateSigningCertificate")
    signing_certificates.set_status(
        call.tx,
        call.caller.account_id,
        user_id,
        call.params["CertificateId"],
        call.params["Status"],
    )
    return None


@operation("iam", "DeleteSigningCertificate")
def delete_signing_certificate(call: Call) -> Result:
    user_id, _ = _signer(call, "iam:DeleteSigningCertificate")
    signing_certificates.delete(
        call.tx, call.caller.account_id, user_id, call.params["CertificateId"]
    )
    return None
