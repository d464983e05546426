"""One AWS Query service (IAM or STS): requests in, responses and errors out, by its model."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stockade.protocol.errors import DEFAULT_STATUS, AWSError
from stockade.protocol.model import ServiceModel, StructureShape, load_service_model
from stockade.protocol.query import Decoder, StructureDecoder, compile_decoder, parse_params
from stockade.protocol.xml import (
    Encoder,
    StructureEncoder,
    compile_encoder,
    error_document,
    response_document,
)

# IAM words a path that fails its pattern itself, not in the generic constraint phrase (the
# wording quoted in public reports of CreateUser, CreateRole and ListPolicies failures).
_PATH_SHAPES = frozenset({"pathType", "pathPrefixType", "policyPathType"})
_PATH_WORDING = (
    "The specified value for {location} is invalid. It must begin and end with / and contain "
    "only alphanumeric characters and/or / characters."
)
_PREFIX_WORDING = (
    "The specified value for {location} is invalid. It must begin with the / character and "
    "contain only alphanumeric characters and/or / characters."
)


def _path_checks(shape: StructureShape | None) -> tuple[tuple[str, re.Pattern[str], str], ...]:
    """(parameter, pattern, IAM's message) for each top-level path member of an input."""
    checks = []
    for member in shape.members if shape is not None else ():
        regex = getattr(member.shape, "regex", None)
        if member.shape.name in _PATH_SHAPES and regex is not None:
            wording = _PREFIX_WORDING if member.name == "PathPrefix" else _PATH_WORDING
            checks.append((member.wire_name, regex, wording.format(location=member.location)))
    return tuple(checks)


@dataclass(frozen=True, slots=True)
class _CompiledOperation:
    name: str
    decoder: StructureDecoder | None
    encoder: StructureEncoder | None
    result_wrapper: str | None
    # The statuses of the errors this operation declares, consulted before the service's.
    error_status: Mapping[str, int]
    path_checks: tuple[tuple[str, re.Pattern[str], str], ...] = ()


class ServiceProtocol:
    """The Query protocol for one service, compiled from botocore's model at load time."""

    def __init__(self, model: ServiceModel) -> None:
        self.name = model.name
        self.api_version = model.api_version
        self.xml_namespace = model.xml_namespace
        self._error_status = {code: error.status for code, error in model.errors.items()}
        decoders: dict[int, Decoder] = {}
        encoders: dict[int, Encoder] = {}
        operations: dict[str, _CompiledOperation] = {}
        for name, op in model.operations.items():
            decoder = compile_decoder(op.input, decoders) if op.input is not None else None
            encoder = compile_encoder(op.output, encoders) if op.output is not None else None
            assert decoder is None or isinstance(decoder, StructureDecoder)
            assert encoder is None or isinstance(encoder, StructureEncoder)
            operations[name] = _CompiledOperation(
                name=name,
                decoder=decoder,
                encoder=encoder,
                result_wrapper=op.result_wrapper,
                error_status={
                    code: self._error_status[code]
                    for code in op.error_codes
                    if code in self._error_status
                },
                path_checks=_path_checks(op.input),
            )
        self._operations = operations
        self._operation_names = frozenset(operations)

    @classmethod
    @functools.cache
    def load(cls, service_name: str) -> ServiceProtocol:
        """The protocol for "iam" or "sts"; built once per process."""
        return cls(load_service_model(service_name))

    def operation_names(self) -> frozenset[str]:
        return self._operation_names

    def _operation(self, action: str) -> _CompiledOperation:
        op = self._operations.get(action)
        if op is None:
            raise AWSError(
                "InvalidAction",
                f"Could not find operation {action} for version {self.api_version}",
                400,
            )
        return op

    def parse_request(self, action: str, params: Mapping[str, str]) -> dict[str, Any]:
        """botocore-style input for `action` from the flat Query parameters (no Action/Version).

        Raises AWSError: InvalidAction for an unknown action, ValidationError (listing every
        failure) for input the model's constraints reject. Unknown parameters are ignored.
        """
        op = self._operation(action)
        if op.decoder is None:
            return {}
        for name, regex, message in op.path_checks:
            value = params.get(name)
            if value is not None and regex.fullmatch(value) is None:
                raise AWSError("ValidationError", message, 400)
        return parse_params(op.decoder, params)

    def serialize_response(
        self, action: str, result: Mapping[str, Any] | None, request_id: str
    ) -> bytes:
        """The `<{action}Response>` document; keys the output shape lacks are ignored."""
        op = self._operation(action)
        return response_document(
            action, self.xml_namespace, op.result_wrapper, op.encoder, result, request_id
        )

    def error_status(self, action: str | None, code: str) -> int:
        """The HTTP status AWS sends with `code`: the model's, else the common table's."""
        if action is not None:
            op = self._operations.get(action)
            if op is not None:
                status = op.error_status.get(code)
                if status is not None:
                    return status
        status = self._error_status.get(code)
        if status is None:
            status = DEFAULT_STATUS.get(code, 400)
        return status

    def serialize_error(
        self, error: AWSError, request_id: str, action: str | None = None
    ) -> tuple[int, bytes]:
        """The HTTP status and `<ErrorResponse>` document for an error."""
        status = error.status if error.status is not None else self.error_status(action, error.code)
        # A 5xx is the service's fault whatever the raiser said; AWS types those Receiver.
        sender = error.sender and status < 500
        body = error_document(self.xml_namespace, sender, error.code, error.message, request_id)
        return status, body
