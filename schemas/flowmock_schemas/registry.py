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
from collections.abc import Mapping
from importlib import resources
from typing import Any

import jsonschema
import jsonschema.validators

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
        self._detailed = cls(prepared, format_checker=cls.FORMAT_CHECKER)
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
        return bool(self._detailed.is_valid(instance))

    def slow_is_valid(self, instance: Any) -> bool:
        """The verdict of the detailed path alone (for the differential test)."""
        return bool(self._detailed.is_valid(instance))

    def errors(self, instance: Any) -> list[SchemaError]:
        """Every violation, Newtonsoft-worded, in document order; empty when the instance conforms."""
        if self.is_valid(instance):
            return []
        return translate(instance, self._detailed.iter_errors(instance))


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
