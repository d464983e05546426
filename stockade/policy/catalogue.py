"""The catalogue of AWS actions, resource types and condition keys that the policy linter checks
against.

The data is generated (`make catalogue`, see data/CATALOGUE-PROVENANCE.md) from the AWS Service
Authorization Reference and shipped as package data; it is read once, on first use. Lookups of
services, actions and condition keys ignore case, as IAM does. Everything here answers "could this
be right?" generously: a linter built on it must not raise false alarms, so where the reference is
vague (ARN templates, keys with a variable part) the answer leans towards yes.

Typical use::

    catalogue = load_catalogue()
    catalogue.action("s3:GetObject").access_level                  # "Read"
    [a.name for a in catalogue.expand("s3:Get*")]                  # every s3 action starting Get
    catalogue.condition_key_type("aws:RequestTag/Team")            # "String"
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any

__all__ = [
    "Action",
    "ActionResource",
    "Catalogue",
    "ResourceType",
    "Service",
    "load_catalogue",
]

_DATA_FILE = "catalogue.json.gz"
# A condition key with a variable part: its regex, its catalogue entry (lower-cased), its types.
_KeyTemplate = tuple[re.Pattern[str], str, tuple[str, ...]]
# Layout version written by tools/build_catalogue.py; a file of another layout is refused rather
# than misread.
_FORMAT = 1


@dataclass(frozen=True, slots=True)
class ActionResource:
    """A resource type an action accepts; `required` is the reference's asterisk: a request for the
    action must name a resource of this type."""

    name: str
    required: bool


@dataclass(frozen=True)
class ResourceType:
    """A resource type of a service, with its ARN template such as
    `arn:${Partition}:s3:::${BucketName}/${ObjectName}`."""

    name: str
    arn_pattern: str
    condition_keys: tuple[str, ...]
    # True when another type of the same service nests below this one (its template is this one's
    # plus `/...`, as an S3 object's is its bucket's). This type's last placeholder then cannot
    # contain `/`, which is what tells `arn:aws:s3:::bucket/*` (objects) from a bucket.
    has_nested_types: bool = False

    def matches_arn(self, pattern_or_arn: str) -> bool:
        """Whether a policy's Resource string could name a resource of this type.

        The template is compared segment by segment: a `${...}` placeholder stands for anything
        within its segment, and in the resource part (after the fifth colon) for anything at all,
        `/` and `:` included. In the policy string `*`, `?` and policy variables (`${aws:username}`)
        may stand for anything, so `*` matches every type; `${*}`, `${?}` and `${$}` are the
        literal characters. Case is ignored, the generous reading.
        """
        return _matches(self.arn_pattern, self.has_nested_types, pattern_or_arn)


@dataclass(frozen=True)
class Action:
    """An action, e.g. `s3:GetObject` (service "s3", name "GetObject")."""

    service: str
    name: str
    access_level: str  # Read, Write, List, Tagging or Permissions management
    resource_types: tuple[ActionResource, ...]
    # Every condition key the reference lists for the action, across all of its rows.
    condition_keys: tuple[str, ...]

    @property
    def full_name(self) -> str:
        return f"{self.service}:{self.name}"

    @property
    def accepts_any_resource(self) -> bool:
        """The action lists no resource type: it takes only `"*"` as its Resource."""
        return not self.resource_types


# Services and the catalogue hold mappings, so they compare and hash by identity (eq=False) rather
# than fail to hash; there is one of each per loaded catalogue anyway.
@dataclass(frozen=True, eq=False)
class Service:
    """One service prefix. `actions` and `condition_keys` are keyed by lower-cased name, values
    keep the reference's spelling; `resource_types` are keyed by their exact name, which is what
    `ActionResource.name` holds."""

    prefix: str
    name: str
    actions: Mapping[str, Action] = field(repr=False)
    resource_types: Mapping[str, ResourceType] = field(repr=False)
    condition_keys: Mapping[str, str] = field(repr=False)


@dataclass(frozen=True, eq=False, repr=False)
class Catalogue:
    """All services by prefix, and the global condition keys (`aws:...` and a few cross-service
    keys, keyed as AWS spells them, each with its documented types). Get the shipped one with
    `load_catalogue()`."""

    services: Mapping[str, Service]
    global_condition_keys: Mapping[str, tuple[str, ...]]
    # Indexes built once from the two above (see __post_init__).
    _by_service: Mapping[str, tuple[tuple[str, Action], ...]] = field(init=False)
    _actions: tuple[tuple[str, Action], ...] = field(init=False)
    _global: Mapping[str, tuple[str, ...]] = field(init=False)
    _keys: Mapping[str, tuple[str, ...]] = field(init=False)
    _key_templates: Mapping[str, tuple[_KeyTemplate, ...]] = field(init=False)

    def __post_init__(self) -> None:
        # Expansion scans (lower-cased full name, action) pairs in a stable order: by service,
        # then by action name.
        by_service = {
            prefix: tuple(
                (f"{prefix}:{lower}", service.actions[lower]) for lower in sorted(service.actions)
            )
            for prefix, service in sorted(self.services.items())
        }
        global_keys = {key.lower(): types for key, types in self.global_condition_keys.items()}
        # Keys with a variable part (`aws:RequestTag/${TagKey}`), grouped by the prefix they are
        # listed under ("aws" for the global ones) so that a key tries its own group first.
        templates: dict[str, list[_KeyTemplate]] = {}
        for key, types in global_keys.items():
            if "${" in key:
                templates.setdefault("aws", []).append((_key_regex(key), key, types))
        # Exact names of every service's keys, for keys a service lists outside its own prefix
        # (sts lists `saml:aud`, `accounts.google.com:sub`, ...). Where services disagree on a
        # type the owning service is asked first anyway; otherwise the first prefix wins.
        keys: dict[str, tuple[str, ...]] = {}
        for prefix, service in sorted(self.services.items()):
            for key, key_type in service.condition_keys.items():
                if "${" in key:
                    templates.setdefault(prefix, []).append((_key_regex(key), key, (key_type,)))
                else:
                    keys.setdefault(key, (key_type,))
        # Frozen: the indexes are set once, here.
        object.__setattr__(self, "_by_service", by_service)
        object.__setattr__(self, "_actions", tuple(p for ps in by_service.values() for p in ps))
        object.__setattr__(self, "_global", global_keys)
        object.__setattr__(self, "_keys", keys)
        object.__setattr__(self, "_key_templates", {g: tuple(t) for g, t in templates.items()})

    def __repr__(self) -> str:
        return f"<Catalogue: {len(self.services)} services, {len(self._actions)} actions>"

    def service(self, prefix: str) -> Service | None:
        """The service with this prefix (`"s3"`, `"S3"`), or None."""
        return self.services.get(prefix.lower())

    def action(self, name: str) -> Action | None:
        """The action named `service:Action` (any case), or None; no wildcards, see `expand`."""
        prefix, sep, action = name.partition(":")
        service = self.service(prefix) if sep else None
        return service.actions.get(action.lower()) if service is not None else None

    def expand(self, pattern: str) -> tuple[Action, ...]:
        """Every action an Action-element pattern matches: `*` and `?` over the whole
        `service:name`, any case, as IAM reads it (`"s3:Get*"`, `"*:List*"`, `"*"`)."""
        lowered = pattern.lower()
        prefix, sep, _ = lowered.partition(":")
        if sep and "*" not in prefix and "?" not in prefix:
            candidates = self._by_service.get(prefix, ())
        else:
            candidates = self._actions
        if "*" not in lowered and "?" not in lowered:
            return tuple(action for full, action in candidates if full == lowered)
        regex = _action_regex(lowered)
        return tuple(action for full, action in candidates if regex.fullmatch(full))

    def condition_key_type(self, key: str) -> str | None:
        """The type of a global or service condition key (String, ArrayOfString, Numeric, Date,
        Bool, ARN, IPAddress, ...), or None if the catalogue does not know the key. A key with a
        variable part resolves through its template: `aws:RequestTag/Team` is
        `aws:RequestTag/${TagKey}`. For the few keys documented with two types
        (`aws:EpochTime`: Date or Numeric) this is the first; see `condition_key_types`."""
        resolved = _resolve_key(self, key.lower())
        return resolved[1][0] if resolved is not None else None

    def condition_key_types(self, key: str) -> tuple[str, ...]:
        """Every type the key is documented with, main one first; empty if the key is unknown."""
        resolved = _resolve_key(self, key.lower())
        return resolved[1] if resolved is not None else ()

    def canonical_condition_key(self, key: str) -> str | None:
        """The lower-cased catalogue entry a key resolves to (`aws:RequestTag/Team` ->
        `aws:requesttag/${tagkey}`, `kms:EncryptionContext:Dept` ->
        `kms:encryptioncontext:${encryptioncontextkey}`), for comparing with the keys an action
        lists; None if the key is unknown."""
        resolved = _resolve_key(self, key.lower())
        return resolved[0] if resolved is not None else None

    def is_global_condition_key(self, key: str) -> bool:
        """Whether the key is one of the global keys every request may carry, whatever the action:
        the `aws:` keys and the cross-service keys AWS lists with them (`ec2:SourceInstanceArn`,
        `lambda:SourceFunctionArn`, ...). An action's own key list never names these."""
        resolved = _resolve_key(self, key.lower())
        return resolved is not None and resolved[0] in self._global

    def is_multivalued(self, key: str) -> bool:
        """Whether the key can hold several values in one request (its type is ArrayOf...), so
        that `ForAnyValue:`/`ForAllValues:` belong with it. False for unknown keys."""
        key_type = self.condition_key_type(key)
        return key_type is not None and key_type.startswith("ArrayOf")

    # -- key resolution, memoised by _resolve_key ---------------------------------------------

    def _lookup_key(self, lowered: str) -> tuple[str, tuple[str, ...]] | None:
        if lowered in self._global:
            return lowered, self._global[lowered]
        prefix = lowered.partition(":")[0]
        own = self.services.get(prefix)
        if own is not None and lowered in own.condition_keys:
            return lowered, (own.condition_keys[lowered],)
        for regex, template, types in self._key_templates.get(prefix, ()):
            if regex.fullmatch(lowered):
                return template, types
        if lowered in self._keys:
            return lowered, self._keys[lowered]
        for group, templates in self._key_templates.items():
            if group == prefix:
                continue
            for regex, template, types in templates:
                if regex.fullmatch(lowered):
                    return template, types
        return None


@functools.cache
def load_catalogue() -> Catalogue:
    """The shipped catalogue, read from package data on first call and shared afterwards."""
    data = (resources.files("stockade.policy") / "data" / _DATA_FILE).read_bytes()
    return catalogue_from_json(json.loads(gzip.decompress(data)))


def catalogue_from_json(raw: Mapping[str, Any]) -> Catalogue:
    """A catalogue from the generated JSON layout (also handy for small hand-made test data)."""
    if raw.get("format") != _FORMAT:
        raise ValueError(f"catalogue format {raw.get('format')!r}, expected {_FORMAT}")
    services = {prefix: _service(prefix, entry) for prefix, entry in raw["services"].items()}
    global_keys = {key: tuple(types) for key, types in raw["global_condition_keys"].items()}
    return Catalogue(MappingProxyType(services), MappingProxyType(global_keys))


def _service(prefix: str, raw: Mapping[str, Any]) -> Service:
    arns = [entry["arn"] for entry in raw["resource_types"].values()]
    resource_types = {
        name: ResourceType(
            name=name,
            arn_pattern=entry["arn"],
            condition_keys=tuple(entry["condition_keys"]),
            has_nested_types=any(other.startswith(entry["arn"] + "/") for other in arns),
        )
        for name, entry in raw["resource_types"].items()
    }
    actions = {
        name.lower(): Action(
            service=prefix,
            name=name,
            access_level=entry["access_level"],
            resource_types=tuple(ActionResource(n, bool(r)) for n, r in entry["resource_types"]),
            condition_keys=tuple(entry["condition_keys"]),
        )
        for name, entry in raw["actions"].items()
    }
    keys = {key.lower(): key_type for key, key_type in raw["condition_keys"].items()}
    return Service(
        prefix=prefix,
        name=raw["name"],
        actions=MappingProxyType(actions),
        resource_types=MappingProxyType(resource_types),
        condition_keys=MappingProxyType(keys),
    )


# -- condition keys ------------------------------------------------------------------------------


def _key_regex(template: str) -> re.Pattern[str]:
    """A lower-cased key template as a regex: each `${...}` stands for one or more characters."""
    parts = re.split(r"\$\{[^}]*\}", template)
    return re.compile(".+".join(re.escape(part) for part in parts))


@functools.lru_cache(maxsize=4096)
def _resolve_key(catalogue: Catalogue, lowered: str) -> tuple[str, tuple[str, ...]] | None:
    # Memoised outside the class so the cache is bounded (keys come from user documents) and the
    # catalogue stays immutable.
    return catalogue._lookup_key(lowered)


# -- actions -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _action_regex(lowered: str) -> re.Pattern[str]:
    return re.compile(
        "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in lowered),
        re.DOTALL,
    )


# -- ARNs ----------------------------------------------------------------------------------------
# Both the template and the policy string become a sequence of atoms, and the question is whether
# some ARN matches both sequences: a walk over pairs of positions, as in intersecting two automata.
# An atom is (kind, text): for _LITERAL, text is the one (lower-cased) character; for _ONE (exactly
# one character) and _ANY (any run of characters), text lists the characters it may not cover.

_LITERAL, _ONE, _ANY = 0, 1, 2
_Atom = tuple[int, str]
_POLICY_ESCAPES = {"${*}": "*", "${?}": "?", "${$}": "$"}


@functools.lru_cache(maxsize=8192)
def _template_atoms(template: str, has_nested_types: bool) -> tuple[_Atom, ...]:
    atoms: list[_Atom] = []
    segments = template.split(":", 5)
    for number, segment in enumerate(segments):
        if number:
            atoms.append((_LITERAL, ":"))
        in_resource = number == 5
        barrier = "" if in_resource else ":"
        pieces = re.split(r"(\$\{[^}]*\})", segment)
        for index, piece in enumerate(pieces):
            if piece.startswith("${"):
                last = index == len(pieces) - 2 and pieces[-1] == ""
                stop = "/" if in_resource and has_nested_types and last else barrier
                atoms += [(_ONE, stop), (_ANY, stop)]  # a placeholder is never empty
            else:
                # A literal `*` in a template (`arn:...:dms:...:cert:*`) stands for anything too.
                atoms += [(_ANY, barrier) if c == "*" else (_LITERAL, c.lower()) for c in piece]
    return tuple(atoms)


def _policy_atoms(text: str) -> tuple[_Atom, ...]:
    atoms: list[_Atom] = []
    for piece in re.split(r"(\$\{[^}]*\})", text):
        if piece in _POLICY_ESCAPES:
            atoms.append((_LITERAL, _POLICY_ESCAPES[piece]))
        elif piece.startswith("${"):
            atoms.append((_ANY, ""))  # a policy variable: its value is not known here
        else:
            atoms += [
                (_ANY, "") if c == "*" else (_ONE, "") if c == "?" else (_LITERAL, c.lower())
                for c in piece
            ]
    return tuple(atoms)


def _overlap(a: _Atom, b: _Atom) -> bool:
    """Whether some single character is covered by both atoms."""
    if a[0] == _LITERAL and b[0] == _LITERAL:
        return a[1] == b[1]
    if a[0] == _LITERAL:
        return a[1] not in b[1]
    if b[0] == _LITERAL:
        return b[1] not in a[1]
    return True  # two classes that each exclude a few characters always share one


def _intersect(left: tuple[_Atom, ...], right: tuple[_Atom, ...]) -> bool:
    end = (len(left), len(right))
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        state = stack.pop()
        if state in seen:
            continue
        if state == end:
            return True
        seen.add(state)
        i, j = state
        a = left[i] if i < end[0] else None
        b = right[j] if j < end[1] else None
        if a is not None and a[0] == _ANY:
            stack.append((i + 1, j))  # `a` covers nothing more
        if b is not None and b[0] == _ANY:
            stack.append((i, j + 1))
        if a is not None and b is not None and _overlap(a, b):
            # Both cover one more character; a run may go on covering.
            stack.append((i if a[0] == _ANY else i + 1, j if b[0] == _ANY else j + 1))
    return False


@functools.lru_cache(maxsize=65536)
def _matches(template: str, has_nested_types: bool, policy: str) -> bool:
    return _intersect(_template_atoms(template, has_nested_types), _policy_atoms(policy))
