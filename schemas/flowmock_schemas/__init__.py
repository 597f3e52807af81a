"""The four Power Automate request schemas of Postman's integration, their strict variants, and validators.

The public API is `schema_names`, `load_schema`, `validator_for`, `validate`, `schema_from_sample`,
`SchemaError`, `SchemaValidator` and the exceptions `SchemaRegistryError`, `UnknownSchemaError`,
`InvalidSchemaError`; hypothesis strategies live in `flowmock_schemas.strategies`. Everything else may change.
"""

from .errors import InvalidSchemaError, PayloadError, SchemaRegistryError, UnknownSchemaError
from .jsonpath import format_path
from .messages import SchemaError, mismatch_details
from .registry import SchemaValidator, load_schema, schema_names, validate, validator_for
from .sample import schema_from_sample

__all__ = [
    "InvalidSchemaError",
    "PayloadError",
    "SchemaError",
    "SchemaRegistryError",
    "SchemaValidator",
    "UnknownSchemaError",
    "format_path",
    "load_schema",
    "mismatch_details",
    "schema_from_sample",
    "schema_names",
    "validate",
    "validator_for",
]
