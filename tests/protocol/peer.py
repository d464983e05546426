"""botocore as the peer: its own Query serializer and XML parser, to check ours against."""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import parse_qsl, urlencode

import botocore.model
import botocore.parsers
import botocore.serialize
import botocore.session
import botocore.validate

from stockade.protocol import ServiceProtocol


@functools.cache
def service_model(name: str) -> Any:
    return botocore.session.get_session().get_service_model(name)


def operation_model(service: str, operation: str) -> Any:
    return service_model(service).operation_model(operation)


def query_params(op_model: Any, params: dict[str, Any], *, validate: bool = True) -> dict[str, str]:
    """The form a client sends for `params`, decoded as a server reads it, minus Action/Version."""
    if validate and op_model.input_shape is not None:
        # What botocore's client would refuse must not be a test input.
        botocore.validate.validate_parameters(params, op_model.input_shape)
    serializer = botocore.serialize.create_serializer("query", include_validation=False)
    request = serializer.serialize_to_request(params, op_model)
    body = request["body"]
    assert body.pop("Action") == op_model.name
    assert body.pop("Version") == op_model.metadata["apiVersion"]
    # Through real form encoding, as the bytes travel, so ints and empty values look as they do
    # on the wire.
    return dict(parse_qsl(urlencode(body), keep_blank_values=True))


def parse_response(op_model: Any, body: bytes, status: int = 200) -> dict[str, Any]:
    parser = botocore.parsers.create_parser("query")
    parsed: dict[str, Any] = parser.parse(
        {"body": body, "headers": {}, "status_code": status}, op_model.output_shape
    )
    return parsed


def protocol_for(bmodel: Any) -> ServiceProtocol:
    """A protocol for a model given as a dict or botocore ServiceModel (synthetic test models)."""
    from stockade.protocol.model import convert_service_model

    if isinstance(bmodel, dict):
        bmodel = botocore.model.ServiceModel(bmodel, bmodel["metadata"]["endpointPrefix"])
    return ServiceProtocol(convert_service_model(bmodel))
