"""Property tests over every operation of both models: structure survives, garbage is refused."""

from __future__ import annotations

import functools
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stockade.protocol import AWSError, ServiceProtocol
from stockade.protocol.model import load_service_model
from stockade.protocol.query import StructureDecoder, compile_decoder
from stockade.protocol.scalars import INVALID, ScalarDecoder
from tests.protocol.peer import operation_model, query_params, service_model
from tests.protocol.shapes import value_of

SERVICES = ("iam", "sts")


def _operations_with_input() -> list[tuple[str, str]]:
    return [
        (service, name)
        for service in SERVICES
        for name in sorted(service_model(service).operation_names)
        if service_model(service).operation_model(name).input_shape is not None
    ]


_models = functools.cache(load_service_model)


@functools.cache
def _decoder(service: str, operation: str) -> StructureDecoder:
    shape = _models(service).operations[operation].input
    assert shape is not None
    decoder = compile_decoder(shape)
    assert isinstance(decoder, StructureDecoder)
    return decoder


@st.composite
def _inputs(draw: st.DrawFn) -> tuple[str, str, dict[str, Any]]:
    service, operation = draw(st.sampled_from(_operations_with_input()))
    shape = operation_model(service, operation).input_shape
    return service, operation, draw(value_of(shape, request=True))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_inputs())
def test_any_input_of_any_operation_decodes_to_itself(case: tuple[str, str, Any]) -> None:
    """Structure only: values ignore the model's constraints, so validation errors are dropped."""
    service, operation, params = case
    wire = query_params(operation_model(service, operation), params, validate=False)
    errors: list[str] = []
    assert _decoder(service, operation).decode_params(wire, "", errors) == params


def _vocabulary() -> list[str]:
    """Key segments a hostile or confused client might send: real names and protocol words."""
    words = {"member", "entry", "key", "value", "Key", "Value", "", "0", "1", "2", "01", "-1"}
    words |= {
        "4294967296",
        "9" * 40,
        "1" * 5000,
        "\u0661",
        "\u00b2",
    }  # Arabic-Indic 1, superscript 2
    for service in SERVICES:
        model = service_model(service)
        for name in model.shape_names:
            shape = model.shape_for(name)
            if shape.type_name == "structure":
                words.update(shape.members)
    return sorted(words)


_KEYS = st.lists(st.sampled_from(_vocabulary()), min_size=1, max_size=6).map(".".join)
_VALUES = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        ["", "true", "false", "1", "-0", "1e3", "9" * 25, "AAAA", "=", "2026-01-01T00:00:00Z"]
    ),
)


@settings(max_examples=1000, deadline=None)
@given(
    service=st.sampled_from(SERVICES),
    data=st.data(),
    params=st.dictionaries(_KEYS, _VALUES, max_size=12),
)
def test_garbage_params_give_a_dict_or_an_aws_error(
    service: str, data: st.DataObject, params: dict[str, str]
) -> None:
    protocol = ServiceProtocol.load(service)
    action = data.draw(st.sampled_from(sorted(protocol.operation_names())) | st.text(max_size=8))
    try:
        parsed = protocol.parse_request(action, params)
    except AWSError as error:
        assert error.code in ("ValidationError", "InvalidAction")
        assert error.status == 400
        return
    assert isinstance(parsed, dict)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_garbage_params_shaped_like_the_operation(data: st.DataObject) -> None:
    """Real requests with their keys bent: a segment swapped for a protocol word or an odd
    index, a suffix added, a value replaced. This reaches deep into every decoder."""
    service, operation = data.draw(st.sampled_from(_operations_with_input()))
    op_model = operation_model(service, operation)
    wire = query_params(
        op_model, data.draw(value_of(op_model.input_shape, request=True)), validate=False
    )
    keys = sorted(wire) or ["X"]
    vocabulary = _vocabulary()
    for _ in range(data.draw(st.integers(1, 6))):
        segments = data.draw(st.sampled_from(keys)).split(".")
        how = data.draw(st.sampled_from(["swap", "suffix", "value", "drop"]))
        if how == "swap":
            segments[data.draw(st.integers(0, len(segments) - 1))] = data.draw(
                st.sampled_from(vocabulary)
            )
        elif how == "suffix":
            segments.append(data.draw(st.sampled_from(vocabulary)))
        elif how == "drop" and len(segments) > 1:
            del segments[data.draw(st.integers(0, len(segments) - 1))]
        wire[".".join(segments)] = data.draw(_VALUES)
    try:
        parsed = ServiceProtocol.load(service).parse_request(operation, wire)
    except AWSError as error:
        assert (error.code, error.status) == ("ValidationError", 400)
        # Coral's generic wording, or IAM's own for a path member.
        assert re.match(
            r"(1 validation error|[1-9]\d+ validation errors|[2-9] validation errors)"
            r" detected: Value|The specified value for (path|pathPrefix|newPath) is invalid\.",
            error.message,
        )
    else:
        assert isinstance(parsed, dict)


@functools.cache
def _scalar_decoders() -> list[Any]:
    found: dict[int, ScalarDecoder] = {}
    for service in SERVICES:
        for operation in _models(service).operations.values():
            if operation.input is None:
                continue
            stack: list[Any] = [compile_decoder(operation.input)]
            seen: set[int] = set()
            while stack:
                decoder = stack.pop()
                if id(decoder) in seen:
                    continue
                seen.add(id(decoder))
                if isinstance(decoder, ScalarDecoder):
                    found[id(decoder)] = decoder
                else:
                    stack.extend(
                        getattr(decoder, slot)
                        for slot in ("_item", "_key", "_value")
                        if hasattr(decoder, slot)
                    )
                    stack.extend(m[-1] for m in getattr(decoder, "_members", ()))
    return [d for d in found.values() if d.constrained]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_fast_check_agrees_with_the_messages(data: st.DataObject) -> None:
    decoder = data.draw(st.sampled_from(_scalar_decoders()))
    text = data.draw(st.text(max_size=70) | st.from_regex(r"-?[0-9]{1,6}", fullmatch=True))
    value = decoder.convert(text)
    if value is not INVALID:
        assert decoder.ok(value) == (decoder.violations(value) == [])
