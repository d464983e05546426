"""Server and signing certificates, SSH public keys and service-specific credentials end to end
with boto3: round trips, AWS's errors and quotas, secrets shown once and never stored in clear,
and DeleteUser refusing while any of them remains."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from tests.api.conftest import Server
from tests.api.helpers import (
    certificate,
    certificate_pem,
    error_of,
    private_pem,
    rsa_key,
    self_signed_pem,
    stored_bytes,
    tag_list,
    unique,
)


# -- server certificates ---------------------------------------------------------------------
def test_server_certificate_round_trip(server: Server, iam: Any) -> None:
    ca_key, key = rsa_key(), rsa_key()
    ca = certificate(ca_key, "Example CA", days=3650)
    leaf = certificate(key, "www.example.com", days=90, issuer=(ca, ca_key))
    name = unique("www")
    uploaded = iam.upload_server_certificate(
        ServerCertificateName=name,
        Path="/cloudfront/",
        CertificateBody=certificate_pem(leaf),
        PrivateKey=private_pem(key),
        CertificateChain=certificate_pem(ca),
        Tags=[{"Key": "site", "Value": "www"}],
    )
    metadata = uploaded["ServerCertificateMetadata"]
    assert metadata["ServerCertificateId"].startswith("ASCA")
    assert metadata["Arn"] == (
        f"arn:aws:iam::{server.account_id}:server-certificate/cloudfront/{name}"
    )
    assert metadata["Expiration"] == leaf.not_valid_after_utc
    assert tag_list(uploaded) == {"site": "www"}

    got = iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]
    assert got["CertificateBody"] == certificate_pem(leaf).strip()
    assert got["CertificateChain"] == certificate_pem(ca).strip()
    assert "PrivateKey" not in got
    listed = iam.list_server_certificates(PathPrefix="/cloudfront/")
    assert name in [m["ServerCertificateName"] for m in listed["ServerCertificateMetadataList"]]

    # Renamed and moved: the tags follow, the old name is gone.
    renamed = unique("site")
    iam.update_server_certificate(
        ServerCertificateName=name, NewServerCertificateName=renamed, NewPath="/elb/"
    )
    with pytest.raises(ClientError) as excinfo:
        iam.get_server_certificate(ServerCertificateName=name)
    assert error_of(excinfo) == (
        "NoSuchEntity",
        404,
        f"The Server Certificate with name {name} cannot be found.",
    )
    moved = iam.get_server_certificate(ServerCertificateName=renamed)["ServerCertificate"]
    assert moved["ServerCertificateMetadata"]["Path"] == "/elb/"
    assert tag_list(moved) == {"site": "www"}
    iam.tag_server_certificate(ServerCertificateName=renamed, Tags=[{"Key": "env", "Value": "p"}])
    iam.untag_server_certificate(ServerCertificateName=renamed, TagKeys=["site"])
    assert tag_list(iam.list_server_certificate_tags(ServerCertificateName=renamed)) == {"env": "p"}

    # The private key is sealed at rest: not in the database file in clear (the certificate,
    # which is public, is: the scan sees what is stored).
    on_disk = stored_bytes(server)
    if on_disk is not None:
        assert certificate_pem(leaf).splitlines()[1].encode() in on_disk
        assert private_pem(key).splitlines()[1].encode() not in on_disk

    iam.delete_server_certificate(ServerCertificateName=renamed)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_server_certificate(ServerCertificateName=renamed)
    assert error_of(excinfo)[:2] == ("NoSuchEntity", 404)


def test_server_certificate_refusals(iam: Any) -> None:
    key, other = rsa_key(), rsa_key()
    body = certificate_pem(certificate(key, "a.example.com"))
    cases = [
        (
            {"CertificateBody": "not a certificate", "PrivateKey": private_pem(key)},
            "MalformedCertificate",
            400,
        ),
        ({"CertificateBody": body, "PrivateKey": "not a key"}, "MalformedCertificate", 400),
        ({"CertificateBody": body, "PrivateKey": private_pem(other)}, "KeyPairMismatch", 400),
        (
            {"CertificateBody": body, "PrivateKey": private_pem(key), "CertificateChain": "junk"},
            "MalformedCertificate",
            400,
        ),
    ]
    for arguments, code, status in cases:
        with pytest.raises(ClientError) as excinfo:
            iam.upload_server_certificate(ServerCertificateName=unique("bad"), **arguments)
        assert error_of(excinfo)[:2] == (code, status), arguments

    name = unique("dup")
    iam.upload_server_certificate(
        ServerCertificateName=name, CertificateBody=body, PrivateKey=private_pem(key)
    )
    with pytest.raises(ClientError) as excinfo:
        iam.upload_server_certificate(
            ServerCertificateName=name, CertificateBody=body, PrivateKey=private_pem(key)
        )
    assert error_of(excinfo) == (
        "EntityAlreadyExists",
        409,
        f"The Server Certificate with name {name} already exists.",
    )
    iam.delete_server_certificate(ServerCertificateName=name)


def test_server_certificate_quota_and_summary(iam: Any) -> None:
    summary = iam.get_account_summary()["SummaryMap"]
    quota, present = summary["ServerCertificatesQuota"], summary["ServerCertificates"]
    assert quota == 20
    key = rsa_key()
    body, private = certificate_pem(certificate(key, "quota.example.com")), private_pem(key)
    names = [unique("q") for _ in range(quota - present)]
    try:
        for name in names:
            iam.upload_server_certificate(
                ServerCertificateName=name, CertificateBody=body, PrivateKey=private
            )
        assert iam.get_account_summary()["SummaryMap"]["ServerCertificates"] == quota
        with pytest.raises(ClientError) as excinfo:
            iam.upload_server_certificate(
                ServerCertificateName=unique("over"), CertificateBody=body, PrivateKey=private
            )
        assert error_of(excinfo) == (
            "LimitExceeded",
            409,
            "Cannot exceed quota for ServerCertificatesPerAccount: 20",
        )
    finally:
        for name in names:
            iam.delete_server_certificate(ServerCertificateName=name)


# -- signing certificates --------------------------------------------------------------------
def test_signing_certificates(iam: Any) -> None:
    user, other = unique("signer"), unique("other")
    iam.create_user(UserName=user)
    iam.create_user(UserName=other)
    first, second = self_signed_pem("first"), self_signed_pem("second")

    uploaded = iam.upload_signing_certificate(UserName=user, CertificateBody=first)["Certificate"]
    certificate_id = uploaded["CertificateId"]
    assert len(certificate_id) >= 24 and certificate_id.isalnum()
    assert (uploaded["UserName"], uploaded["Status"]) == (user, "Active")
    with pytest.raises(ClientError) as excinfo:
        iam.upload_signing_certificate(UserName=other, CertificateBody=first)
    assert error_of(excinfo)[:2] == ("DuplicateCertificate", 409)
    with pytest.raises(ClientError) as excinfo:
        iam.upload_signing_certificate(UserName=user, CertificateBody="-----BEGIN nonsense")
    assert error_of(excinfo)[:2] == ("MalformedCertificate", 400)

    iam.upload_signing_certificate(UserName=user, CertificateBody=second)
    with pytest.raises(ClientError) as excinfo:
        iam.upload_signing_certificate(UserName=user, CertificateBody=self_signed_pem("third"))
    assert error_of(excinfo) == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for SigningCertificatesPerUser: 2",
    )

    iam.update_signing_certificate(UserName=user, CertificateId=certificate_id, Status="Inactive")
    listed = iam.list_signing_certificates(UserName=user)["Certificates"]
    mine = {c["CertificateId"]: c for c in listed}[certificate_id]
    assert (mine["Status"], mine["CertificateBody"]) == ("Inactive", first.strip())
    with pytest.raises(ClientError) as excinfo:
        iam.update_signing_certificate(
            UserName=user, CertificateId=certificate_id, Status="Expired"
        )
    assert error_of(excinfo)[:2] == ("ValidationError", 400)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_signing_certificate(UserName=other, CertificateId=certificate_id)
    assert error_of(excinfo) == (
        "NoSuchEntity",
        404,
        f"The Certificate with id {certificate_id} cannot be found.",
    )

    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName=user)
    assert error_of(excinfo) == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must remove signing certificates first.",
    )
    for cert in listed:
        iam.delete_signing_certificate(UserName=user, CertificateId=cert["CertificateId"])
    iam.delete_user(UserName=user)
    iam.delete_user(UserName=other)


# -- SSH public keys -------------------------------------------------------------------------
def _openssh(key: Any, comment: str = "") -> str:
    line = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return f"{line.decode()} {comment}".strip()


def _md5_fingerprint(openssh: str) -> str:
    digest = hashlib.md5(base64.b64decode(openssh.split()[1])).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def test_ssh_public_keys(iam: Any) -> None:
    user = unique("git")
    iam.create_user(UserName=user)
    key = rsa_key()
    body = _openssh(key, "alice@laptop")
    uploaded = iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=body)["SSHPublicKey"]
    key_id = uploaded["SSHPublicKeyId"]
    assert key_id.startswith("APKA")
    assert uploaded["Fingerprint"] == _md5_fingerprint(body)
    assert (uploaded["SSHPublicKeyBody"], uploaded["Status"]) == (body, "Active")

    as_ssh = iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=key_id, Encoding="SSH")
    assert as_ssh["SSHPublicKey"]["SSHPublicKeyBody"] == body
    as_pem = iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=key_id, Encoding="PEM")
    pem = as_pem["SSHPublicKey"]["SSHPublicKeyBody"]
    loaded = serialization.load_pem_public_key(pem.encode())
    assert isinstance(loaded, rsa.RSAPublicKey)
    assert loaded.public_numbers() == key.public_key().public_numbers()

    with pytest.raises(ClientError) as excinfo:
        iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=pem)  # same key, PEM encoded
    assert error_of(excinfo)[:2] == ("DuplicateSSHPublicKey", 400)
    refused = [
        (_openssh(rsa_key(1024)), "InvalidPublicKey"),
        (_openssh(ed25519.Ed25519PrivateKey.generate()), "InvalidPublicKey"),
        ("ssh-rsa AAAAB3NzaC1yc2E= truncated", "InvalidPublicKey"),
        ("this is no key at all", "UnrecognizedPublicKeyEncoding"),
    ]
    for text, code in refused:
        with pytest.raises(ClientError) as excinfo:
            iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=text)
        assert error_of(excinfo)[:2] == (code, 400), text

    for _ in range(4):
        iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=_openssh(rsa_key()))
    with pytest.raises(ClientError) as excinfo:
        iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=_openssh(rsa_key()))
    assert error_of(excinfo) == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for SSHPublicKeysPerUser: 5",
    )

    iam.update_ssh_public_key(UserName=user, SSHPublicKeyId=key_id, Status="Inactive")
    listed = iam.list_ssh_public_keys(UserName=user)["SSHPublicKeys"]
    assert len(listed) == 5 and all("SSHPublicKeyBody" not in k for k in listed)
    assert {k["SSHPublicKeyId"]: k["Status"] for k in listed}[key_id] == "Inactive"

    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName=user)
    assert error_of(excinfo) == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must remove SSH public keys first.",
    )
    for listed_key in listed:
        iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=listed_key["SSHPublicKeyId"])
    with pytest.raises(ClientError) as excinfo:
        iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=key_id, Encoding="SSH")
    assert error_of(excinfo) == (
        "NoSuchEntity",
        404,
        f"The Public Key with id {key_id} cannot be found.",
    )
    iam.delete_user(UserName=user)


# -- service-specific credentials ------------------------------------------------------------
def test_service_specific_credentials(server: Server, iam: Any) -> None:
    user = unique("dev")
    iam.create_user(UserName=user)
    created = iam.create_service_specific_credential(
        UserName=user, ServiceName="codecommit.amazonaws.com"
    )["ServiceSpecificCredential"]
    password = created["ServicePassword"]
    assert created["ServiceUserName"] == f"{user}-at-{server.account_id}"
    assert created["ServiceSpecificCredentialId"].startswith("ACCA")
    assert len(password) == 44 and created["Status"] == "Active"

    second = iam.create_service_specific_credential(
        UserName=user, ServiceName="codecommit.amazonaws.com"
    )["ServiceSpecificCredential"]
    assert second["ServiceUserName"] == f"{user}+1-at-{server.account_id}"
    with pytest.raises(ClientError) as excinfo:
        iam.create_service_specific_credential(
            UserName=user, ServiceName="codecommit.amazonaws.com"
        )
    assert error_of(excinfo) == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2",
    )
    # The quota is per service.
    iam.create_service_specific_credential(UserName=user, ServiceName="cassandra.amazonaws.com")
    with pytest.raises(ClientError) as excinfo:
        iam.create_service_specific_credential(UserName=user, ServiceName="s3.amazonaws.com")
    assert error_of(excinfo)[:2] == ("NotSupportedService", 404)

    # The password is shown once: never listed, never stored in clear.
    listed = iam.list_service_specific_credentials(UserName=user)["ServiceSpecificCredentials"]
    assert len(listed) == 3 and all("ServicePassword" not in c for c in listed)
    only_git = iam.list_service_specific_credentials(
        UserName=user, ServiceName="codecommit.amazonaws.com"
    )["ServiceSpecificCredentials"]
    assert {c["ServiceSpecificCredentialId"] for c in only_git} == {
        created["ServiceSpecificCredentialId"],
        second["ServiceSpecificCredentialId"],
    }
    everyone = iam.list_service_specific_credentials(AllUsers=True)["ServiceSpecificCredentials"]
    assert {c["ServiceSpecificCredentialId"] for c in listed} <= {
        c["ServiceSpecificCredentialId"] for c in everyone
    }
    on_disk = stored_bytes(server)
    if on_disk is not None:
        assert created["ServiceUserName"].encode() in on_disk
        assert password.encode() not in on_disk

    credential_id = created["ServiceSpecificCredentialId"]
    reset = iam.reset_service_specific_credential(
        UserName=user, ServiceSpecificCredentialId=credential_id
    )["ServiceSpecificCredential"]
    assert reset["ServicePassword"] != password and len(reset["ServicePassword"]) == 44
    assert reset["ServiceUserName"] == created["ServiceUserName"]
    iam.update_service_specific_credential(
        UserName=user, ServiceSpecificCredentialId=credential_id, Status="Inactive"
    )
    statuses = {
        c["ServiceSpecificCredentialId"]: c["Status"]
        for c in iam.list_service_specific_credentials(UserName=user)["ServiceSpecificCredentials"]
    }
    assert statuses[credential_id] == "Inactive"

    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName=user)
    assert error_of(excinfo) == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must remove service-specific credentials first.",
    )
    for credential in listed:
        iam.delete_service_specific_credential(
            UserName=user, ServiceSpecificCredentialId=credential["ServiceSpecificCredentialId"]
        )
    with pytest.raises(ClientError) as excinfo:
        iam.reset_service_specific_credential(
            UserName=user, ServiceSpecificCredentialId=credential_id
        )
    assert error_of(excinfo)[:2] == ("NoSuchEntity", 404)
    iam.delete_user(UserName=user)
