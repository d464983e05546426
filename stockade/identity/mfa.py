"""Virtual MFA devices: created with a seed and a QR code, enabled with two consecutive codes,
and never accepting the same code twice. Details: docs/mfa.md."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from stockade.auth import totp
from stockade.auth.secrets import SecretBox
from stockade.identity import names, tags
from stockade.identity.clock import now
from stockade.identity.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidAuthenticationCode,
    InvalidInput,
    LimitExceeded,
    NoSuchEntity,
)
from stockade.identity.quotas import Quotas
from stockade.store import schema as t

_SERIAL_LENGTH = 256


def get_device(tx: Connection, account_id: str, serial: str) -> dict[str, Any]:
    row = (
        tx.execute(
            select(t.mfa_devices).where(
                t.mfa_devices.c.serial_number == serial, t.mfa_devices.c.account_id == account_id
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NoSuchEntity(f"VirtualMFADevice with serial number {serial} doesn't exist.")
    return dict(row)


def create_virtual(
    tx: Connection,
    box: SecretBox,
    account_id: str,
    name: str,
    path: str | None,
    quotas: Quotas,
    new_tags: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    path = names.check_path(path)
    serial = f"arn:aws:iam::{account_id}:mfa{path}{name}"
    if len(serial) > _SERIAL_LENGTH:
        # Every operation that takes the device back accepts serial numbers of 256 characters.
        raise InvalidInput(
            f"The device name and path make a serial number over {_SERIAL_LENGTH} characters."
        )
    if tx.execute(
        select(t.mfa_devices.c.serial_number).where(t.mfa_devices.c.serial_number == serial)
    ).first():
        raise EntityAlreadyExists("MFADevice entity at the same path and name already exists.")
    seed = totp.new_seed()
    tx.execute(
        t.mfa_devices.insert().values(
            serial_number=serial,
            account_id=account_id,
            name=name,
            path=path,
            seed_sealed=box.seal(seed, serial),
            for_root=False,
            created_at=now(),
        )
    )
    new_tags = list(new_tags)
    if new_tags:
        tags.tag(tx, account_id, serial, new_tags, quotas)
    alias = tx.execute(
        select(t.accounts.c.alias).where(t.accounts.c.account_id == account_id)
    ).scalar()
    uri = totp.provisioning_uri(seed, f"{name}@{alias or account_id}")
    return {
        "SerialNumber": serial,
        "Base32StringSeed": seed.encode(),
        "QRCodePNG": totp.qr_png(uri),
        "Tags": tags.list_tags(tx, serial) or None,
    }


def enable(
    tx: Connection,
    box: SecretBox,
    account_id: str,
    user_id: str | None,
    serial: str,
    code1: str,
    code2: str,
    quotas: Quotas,
    at: datetime | None = None,
) -> None:
    """Enable for an IAM user, or for the root user when `user_id` is None."""
    device = get_device(tx, account_id, serial)
    if device["enabled_at"] is not None:
        raise EntityAlreadyExists("MFA Device is already in use.")
    if user_id is not None:
        count = tx.execute(
            select(func.count())
            .select_from(t.mfa_devices)
            .where(t.mfa_devices.c.user_id == user_id)
        ).scalar_one()
        if count >= quotas.mfa_devices_per_user:
            raise LimitExceeded(
                f"Cannot exceed quota for MFADevicesPerUser: {quotas.mfa_devices_per_user}"
            )
    seed = box.open(device["seed_sealed"], serial)
    counter = totp.match_consecutive(seed, code1, code2, at or now())
    previous = device["last_counter"]
    if counter is None or (previous is not None and counter <= previous):
        # Codes already accepted once (before a deactivation, say) are not accepted again.
        raise InvalidAuthenticationCode("Authentication code for device is not valid.")
    tx.execute(
        update(t.mfa_devices)
        .where(t.mfa_devices.c.serial_number == serial)
        .values(user_id=user_id, for_root=user_id is None, enabled_at=now(), last_counter=counter)
    )


def check_code(
    tx: Connection,
    box: SecretBox,
    account_id: str,
    serial: str,
    code: str,
    at: datetime | None = None,
) -> bool:
    """A sign-in or session code: accepted once, never again (nor any older one)."""
    device = get_device(tx, account_id, serial)
    if device["enabled_at"] is None:
        return False
    seed = box.open(device["seed_sealed"], serial)
    previous = device["last_counter"]
    counter = totp.match_code(seed, code, at or now(), previous)
    if counter is None:
        return False
    # Compare-and-set: of two requests racing with one code (on PostgreSQL's read committed),
    # only the one whose update still sees the counter it read accepts it.
    devices = t.mfa_devices
    unchanged = (
        devices.c.last_counter.is_(None) if previous is None else devices.c.last_counter == previous
    )
    done = tx.execute(
        update(devices)
        .where(devices.c.serial_number == serial, unchanged)
        .values(last_counter=counter)
    )
    return bool(done.rowcount == 1)


def resync(
    tx: Connection,
    box: SecretBox,
    account_id: str,
    user_id: str | None,
    serial: str,
    code1: str,
    code2: str,
) -> None:
    device = get_device(tx, account_id, serial)
    if device["enabled_at"] is None or device["user_id"] != user_id:
        raise NoSuchEntity(f"MFA Device with serial number {serial} does not exist.")
    seed = box.open(device["seed_sealed"], serial)
    counter = totp.match_consecutive(seed, code1, code2, now(), window=10)
    if counter is None or (
        device["last_counter"] is not None and counter <= device["last_counter"]
    ):
        raise InvalidAuthenticationCode("Authentication code for device is not valid.")
    tx.execute(
        update(t.mfa_devices)
        .where(t.mfa_devices.c.serial_number == serial)
        .values(last_counter=counter)
    )


def deactivate(tx: Connection, account_id: str, user_id: str | None, serial: str) -> None:
    device = get_device(tx, account_id, serial)
    if (
        device["enabled_at"] is None
        or device["user_id"] != user_id
        or (user_id is None and not device["for_root"])
    ):
        raise NoSuchEntity(f"MFA Device with serial number {serial} does not exist.")
    tx.execute(
        update(t.mfa_devices)
        .where(t.mfa_devices.c.serial_number == serial)
        .values(user_id=None, for_root=False, enabled_at=None)  # last_counter stays: no replays
    )


def delete_virtual(tx: Connection, account_id: str, serial: str) -> None:
    device = get_device(tx, account_id, serial)
    if device["enabled_at"] is not None:
        raise DeleteConflict("MFA device is already in use.")
    tx.execute(t.mfa_devices.delete().where(t.mfa_devices.c.serial_number == serial))
    tags.drop_all(tx, serial)


def list_devices(tx: Connection, account_id: str) -> list[dict[str, Any]]:
    rows = tx.execute(
        select(t.mfa_devices)
        .where(t.mfa_devices.c.account_id == account_id)
        .order_by(t.mfa_devices.c.serial_number)
    ).mappings()
    return [dict(r) for r in rows]


def devices_of(tx: Connection, account_id: str, user_id: str | None) -> list[dict[str, Any]]:
    condition = (
        t.mfa_devices.c.for_root.is_(True)
        if user_id is None
        else t.mfa_devices.c.user_id == user_id
    )
    rows = tx.execute(
        select(t.mfa_devices)
        .where(t.mfa_devices.c.account_id == account_id, condition)
        .order_by(t.mfa_devices.c.enabled_at)
    ).mappings()
    return [dict(r) for r in rows]
