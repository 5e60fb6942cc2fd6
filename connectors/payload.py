"""Webhook body helpers shared by the connectors: JSON decoding, schema loading, HMAC.

Every field a connector reads goes through a marshmallow schema; a schema error becomes
PayloadError(422, "field.path: problem") and a body that is not JSON PayloadError(400, ...).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields

from connectors.base import ConnectorError, PayloadError


class VendorSchema(Schema):
    """Vendors add fields all the time: read what we need, ignore the rest."""

    class Meta:
        unknown = EXCLUDE


def optional_str(**kw: Any) -> fields.String:
    return fields.String(load_default=None, allow_none=True, **kw)


def optional_list(inner: fields.Field | type[Schema], **kw: Any) -> fields.List:
    """A list that may be absent (read as []); null is an error, as vendors send [] for none."""
    field = fields.Nested(inner) if isinstance(inner, type) else inner
    return fields.List(field, load_default=list, **kw)


class IdField(fields.Field):
    """A vendor id sent as a number or a string; always a non-empty string for us."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, str)) or value == "":
            raise ValidationError("must be a non-empty string or integer id")
        return str(value)


def decode_json(raw_body: bytes) -> Any:
    """The decoded body; PayloadError(400) when it is not JSON or nests too deeply to decode."""
    try:
        return json.loads(raw_body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise PayloadError(400, f"body is not valid JSON: {exc}") from exc
    except RecursionError as exc:  # json.loads recurses per level: 100k nested arrays exhaust it
        raise PayloadError(400, "body is not valid JSON: nested too deeply") from exc


@functools.cache
def _schema(schema: type[Schema]) -> Schema:
    """One instance per schema class: building marshmallow schemas costs more than loading."""
    return schema()


def load(schema: type[Schema], data: Any, path: str = "") -> dict:
    """The validated data, or PayloadError(422) naming every bad field path (under `path`)."""
    if not isinstance(data, Mapping):
        raise PayloadError(422, f"{path or '(root)'}: must be a JSON object")
    try:
        return _schema(schema).load(data)
    except ValidationError as exc:
        raise PayloadError(422, "; ".join(_flatten(exc.messages, path))) from exc


def load_api(schema: type[Schema], data: Any, what: str) -> dict:
    """Like `load` for an API response: a surprise from the vendor is ConnectorError, not a 422."""
    try:
        return load(schema, data)
    except PayloadError as exc:
        raise ConnectorError("bad_response", f"{what}: {exc.reason}") from exc


def _flatten(messages: Any, path: str = "") -> list[str]:
    if isinstance(messages, Mapping):
        return [
            line for key, inner in messages.items() for line in _flatten(inner, f"{path}.{key}".lstrip("."))
        ]
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [f"{path or '(root)'}: {' '.join(messages)}"]
    return [f"{path or '(root)'}: {messages}"]


def hmac_sha256_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def same_digest(expected: str, given: str | None) -> bool:
    """Constant-time comparison; a missing value is simply a mismatch."""
    return given is not None and hmac.compare_digest(expected.encode(), given.strip().encode())


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by case-insensitive name from any mapping (Flask, requests or a plain dict)."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def unique(values: Iterable[str | None]) -> list[str]:
    """Non-empty stripped values, first occurrence kept, order preserved."""
    seen: dict[str, None] = {}
    for value in values:
        if value and value.strip():
            seen.setdefault(value.strip(), None)
    return list(seen)
