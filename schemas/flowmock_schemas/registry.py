"""The shipped schemas, their strict variants, and validators built once per schema.

Validation has two paths because a receiver pays for every call: jsonschema-rs answers "valid?" in about a
microsecond, and only an invalid body pays for jsonschema's detailed errors (which we reword the Newtonsoft way).
A differential test proves both paths give the same verdict on the shipped schemas and on generated ones.
"""

from __future__ import annotations

import copy
import functools
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import urljoin

import jsonschema
import jsonschema.validators
import referencing
import referencing.jsonschema
from jsonschema_specifications import REGISTRY as META_SCHEMAS  # type: ignore[import-untyped]
from referencing.exceptions import NoSuchResource, Unresolvable

from .errors import InvalidSchemaError, UnknownSchemaError
from .messages import SchemaError, translate

_rs: Any
try:  # pragma: no cover - exercised whenever the wheel is available, which is every supported platform
    import jsonschema_rs as _rs
except ImportError:  # pragma: no cover
    _rs = None

BASE_SCHEMAS = ("backup-collection", "collection-activity", "team-activity", "monitor-results")
STRICT_SUFFIX = ".strict"
POSTMAN_COLLECTION_SCHEMA = "postman-collection-v2.1.0"
# Where Postman publishes the v2.1.0 collection schema: a `$ref` to it resolves to the copy shipped here.
POSTMAN_COLLECTION_URL = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

_SUBSCHEMA_MAPS = frozenset({"properties", "patternProperties", "definitions", "dependencies"})
_SUBSCHEMA_ONE = frozenset({"items", "additionalProperties", "additionalItems", "not"})
_SUBSCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "items"})


def schema_names() -> tuple[str, ...]:
    """Every name `load_schema` accepts: the four documented schemas, then their strict variants."""
    return BASE_SCHEMAS + tuple(name + STRICT_SUFFIX for name in BASE_SCHEMAS)


@functools.cache
def _read(filename: str) -> dict[str, Any]:
    text = (resources.files("flowmock_schemas") / "data" / filename).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _strictify(schema: dict[str, Any]) -> dict[str, Any]:
    """Require every documented property, at every level, as `.strict` promises."""
    props = schema.get("properties")
    if isinstance(props, dict) and props:
        schema["required"] = list(props)
        for sub in props.values():
            if isinstance(sub, dict):
                _strictify(sub)
    return schema


def _strip_nested_ids(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {
            key: _strip_nested_ids(value)
            for key, value in schema.items()
            if not (key in ("id", "$schema") and isinstance(value, str))
        }
    if isinstance(schema, list):
        return [_strip_nested_ids(item) for item in schema]
    return schema


def _build_strict(base_name: str) -> dict[str, Any]:
    schema = _strictify(copy.deepcopy(_read(f"{base_name}.json")))
    if base_name == "backup-collection":
        # The documented schema says only "collection is an object"; strict checks it is a v2.1.0 collection.
        # Postman's schema refers to `#/definitions/...`, so its definitions move into ours and its root
        # becomes one more definition; their fragment-style `id`s are dropped so nothing re-scopes the refs.
        postman = copy.deepcopy(_read(f"{POSTMAN_COLLECTION_SCHEMA}.json"))
        definitions = _strip_nested_ids(postman.pop("definitions"))
        root = {k: v for k, v in postman.items() if k not in ("id", "$schema")}
        definitions["postman-collection"] = _strip_nested_ids(root)
        schema["definitions"] = {**schema.get("definitions", {}), **definitions}
        collection = schema["properties"]["collection"]
        schema["properties"]["collection"] = {
            "id": collection["id"],
            "$ref": "#/definitions/postman-collection",
        }
    return schema


def load_schema(name: str) -> dict[str, Any]:
    """A fresh copy of a shipped schema (callers may change it freely)."""
    if name in BASE_SCHEMAS:
        return copy.deepcopy(_read(f"{name}.json"))
    if name.endswith(STRICT_SUFFIX) and name[: -len(STRICT_SUFFIX)] in BASE_SCHEMAS:
        return _build_strict(name[: -len(STRICT_SUFFIX)])
    if name == POSTMAN_COLLECTION_SCHEMA:
        return copy.deepcopy(_read(f"{name}.json"))
    raise UnknownSchemaError(name, schema_names())


def _refuse_retrieval(uri: str) -> referencing.Resource[Any]:
    """No `$ref` is ever fetched: jsonschema's default would fetch `http://` refs on every call, with no timeout,
    and read `file://` ones from the server's disk."""
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


@functools.cache
def bundled_registry() -> referencing.Registry[Any]:
    """What a `$ref` may point at besides the schema itself: the JSON Schema meta-schemas and the Postman
    collection schema, by their public URLs, all shipped in the packages."""
    postman = referencing.Resource.from_contents(
        _read(f"{POSTMAN_COLLECTION_SCHEMA}.json"), default_specification=referencing.jsonschema.DRAFT4
    )
    refusing: referencing.Registry[Any] = referencing.Registry(retrieve=_refuse_retrieval)  # type: ignore[call-arg]
    bundled: referencing.Registry[Any] = META_SCHEMAS.combine(refusing.with_resource(POSTMAN_COLLECTION_URL, postman))
    return bundled


def _refs_with_bases(schema: Any) -> list[tuple[str, str]]:
    """Every `$ref` with the base URI it is resolved against (nested `id`/`$id`s change the base)."""
    found: list[tuple[str, str]] = []
    stack: list[tuple[Any, str]] = [(schema, "")]
    while stack:
        node, base = stack.pop()
        if isinstance(node, dict):
            for key in ("$id", "id"):
                scope = node.get(key)
                if isinstance(scope, str) and not scope.startswith("#"):
                    base = urljoin(base, scope)
                    break
            ref = node.get("$ref")
            if isinstance(ref, str):
                found.append((base, ref))
            stack.extend((value, base) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, base) for value in node)
    return found


def _check_refs(validator: Any, schema: Any) -> None:
    """Refuse a schema with a `$ref` that points outside itself and the bundled registry (at save time, so no
    call ever meets it)."""
    specification = referencing.jsonschema.specification_with(
        validator.META_SCHEMA.get("$schema", ""), default=referencing.jsonschema.DRAFT4
    )
    resolver = bundled_registry().resolver_with_root(specification.create_resource(schema))
    for base, ref in _refs_with_bases(schema):
        target = urljoin(base, ref)
        try:
            resolver.lookup(target)
        except Unresolvable:
            raise InvalidSchemaError(
                f"invalid JSON schema: $ref '{ref}' cannot be resolved; flowmock resolves references inside the "
                f"schema and to the schemas it ships ({POSTMAN_COLLECTION_URL}), and never fetches one"
            ) from None


def _prepare(schema: Any, root: bool = True) -> Any:
    """The form we compile: type names lower-cased (Power Automate accepts "String") and nested draft-04 `id`s
    removed (they make jsonschema re-scope at every property, 2.4x slower, and these schemas never `$ref` them)."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("id", "$schema") and not root and isinstance(value, str):
            continue
        if key == "type":
            if isinstance(value, str):
                value = value.lower()
            elif isinstance(value, list):
                value = [v.lower() if isinstance(v, str) else v for v in value]
            out[key] = value
        elif key in _SUBSCHEMA_MAPS and isinstance(value, dict):
            out[key] = {k: _prepare(v, False) for k, v in value.items()}
        elif key in _SUBSCHEMA_LISTS and isinstance(value, list):
            out[key] = [_prepare(v, False) for v in value]
        elif key in _SUBSCHEMA_ONE:
            out[key] = _prepare(value, False)
        else:
            out[key] = value
    return out


def _has_remote_refs_or_formats(schema: Any) -> tuple[bool, bool]:
    remote = any(isinstance(ref, str) and not ref.startswith("#") for ref in _collect(schema, "$ref"))
    uses_format = any(isinstance(fmt, str) for fmt in _collect(schema, "format"))
    return remote, uses_format


def _collect(schema: Any, keyword: str) -> list[Any]:
    found: list[Any] = []
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if keyword in node:
                found.append(node[keyword])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


MAX_ERRORS = 100  # errors worded per verdict: the trigger's message and the recorded verdict
MAX_COUNTED = 10_000  # past the worded ones, errors counted before giving up
ERROR_BUDGET_SECONDS = 0.5


@dataclass(frozen=True)
class ErrorReport:
    """At most MAX_ERRORS worded errors, the number found (`total`, a lower bound when not `complete`)."""

    errors: list[SchemaError]
    total: int
    complete: bool

    @property
    def truncated(self) -> bool:
        return self.total > len(self.errors)


class SchemaValidator:
    """A schema compiled once: `is_valid` is the fast verdict, `errors` the Newtonsoft-worded details."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema: Mapping[str, Any] = schema
        remote_refs, uses_format = _has_remote_refs_or_formats(schema)
        prepared = dict(schema) if remote_refs else _prepare(dict(schema))
        cls = jsonschema.validators.validator_for(prepared, default=jsonschema.Draft4Validator)
        try:
            cls.check_schema(prepared)
        except jsonschema.SchemaError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "(root)"
            raise InvalidSchemaError(f"invalid JSON schema at {where}: {exc.message}") from None
        _check_refs(cls, prepared)
        self._detailed = cls(prepared, format_checker=cls.FORMAT_CHECKER, registry=bundled_registry())
        self._fast: Any = None
        # Formats are checked by jsonschema only: the two libraries know different sets of formats.
        if _rs is not None and not uses_format and not remote_refs:
            try:
                # The same draft as jsonschema picked: with no `$schema`, jsonschema-rs would assume 2020-12,
                # where 1.0 is an integer; in draft-04 (and for Newtonsoft) it is not.
                rs_class = getattr(_rs, cls.__name__, None)
                if rs_class is not None:
                    self._fast = rs_class(prepared, validate_formats=False)
            except Exception:
                self._fast = None

    def is_valid(self, instance: Any) -> bool:
        if self._fast is not None:
            try:
                return bool(self._fast.is_valid(instance))
            except (ValueError, OverflowError, RecursionError):
                pass  # values outside what the Rust side can represent (huge ints): ask jsonschema instead
        try:
            return bool(self._detailed.is_valid(instance))
        except (ArithmeticError, ValueError, RecursionError):
            return False  # a number no check can be made on (1e400 against a float multipleOf): not conforming

    def slow_is_valid(self, instance: Any) -> bool:
        """The verdict of the detailed path alone (for the differential test)."""
        return bool(self._detailed.is_valid(instance))

    def errors(self, instance: Any, limit: int = MAX_ERRORS) -> list[SchemaError]:
        """The violations (at most `limit`), Newtonsoft-worded, in document order; empty when it conforms."""
        return self.report(instance, limit).errors

    def report(self, instance: Any, limit: int = MAX_ERRORS) -> ErrorReport:
        """The first `limit` violations and how many were found, within a time budget.

        A large body can break a schema thousands of times; wording each error costs time and the message built
        from them grows with them (a 585 KB body once gave a 14 MB answer in 4.9 s). So at most `limit` errors are
        worded, and past them errors are only counted, up to MAX_COUNTED or ERROR_BUDGET_SECONDS.
        """
        if self.is_valid(instance):
            return ErrorReport([], 0, True)
        deadline = time.monotonic() + ERROR_BUDGET_SECONDS
        first: list[Any] = []
        more, complete = 0, True
        try:
            for error in self._detailed.iter_errors(instance):
                if len(first) < limit:
                    first.append(error)
                else:
                    more += 1
                if more >= MAX_COUNTED or time.monotonic() > deadline:
                    complete = False
                    break
            worded = translate(instance, first)
        except (ArithmeticError, ValueError, RecursionError):
            message = "Value could not be validated: a number in it is outside the range the schema can check."
            return ErrorReport([SchemaError("$", message, "number")], 1, True)
        return ErrorReport(worded[:limit], max(len(worded), len(first)) + more, complete)


_lock = threading.Lock()
_by_key: dict[str, SchemaValidator] = {}
_MAX_INLINE = 256


def validator_for(name_or_schema: str | Mapping[str, Any]) -> SchemaValidator:
    """The cached validator of a schema name or an inline schema (custom flows bring their own)."""
    if isinstance(name_or_schema, str):
        key = "name:" + name_or_schema
    else:
        key = "inline:" + json.dumps(name_or_schema, sort_keys=True, default=str)
    with _lock:
        found = _by_key.get(key)
    if found is not None:
        return found
    schema = load_schema(name_or_schema) if isinstance(name_or_schema, str) else name_or_schema
    built = SchemaValidator(schema)
    with _lock:
        if len(_by_key) >= _MAX_INLINE:
            for stale in [k for k in _by_key if k.startswith("inline:")][: _MAX_INLINE // 2]:
                del _by_key[stale]
        _by_key[key] = built
    return built


def validate(name_or_schema: str | Mapping[str, Any], payload: Any) -> list[SchemaError]:
    """Every violation of `payload` against a schema name or inline schema; empty when it conforms."""
    return validator_for(name_or_schema).errors(payload)
