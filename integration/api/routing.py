"""How an admin-API endpoint is declared: one decorator gives it its route, its auth scope, its
request and response schemas, JSON errors, and its entry in the OpenAPI document."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Response, current_app, g, jsonify, request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import HTTPException

from integration.api.errors import ApiError, Unavailable, not_found
from integration.api.schemas import ErrorSchema
from store import review

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")

MAX_DB_ID = 2**31 - 1  # PostgreSQL integer: larger ids cannot exist, answer 404 instead of failing


@dataclass(frozen=True)
class Operation:
    rule: str
    method: str
    endpoint: str
    summary: str
    scope: review.Scope
    query: Schema | None
    body: Schema | None
    response: Schema | None
    status: int
    content_types: tuple[str, ...]
    tag: str


OPERATIONS: list[Operation] = []


def operation(
    rule: str,
    method: str,
    *,
    summary: str,
    scope: review.Scope,
    tag: str,
    query: type[Schema] | None = None,
    body: type[Schema] | None = None,
    response: Schema | None = None,
    status: int = 200,
    content_types: tuple[str, ...] = ("application/json",),
) -> Callable:
    """Declare an endpoint. The view gets (token, query, body, **path) and returns data that
    `response` dumps, or a ready Response."""
    query_schema, body_schema = (query() if query else None), (body() if body else None)

    def register(view: Callable) -> Callable:
        @functools.wraps(view)
        def handle(**path):
            token = _authenticate(scope)
            if any(isinstance(v, int) and v > MAX_DB_ID for v in path.values()):
                raise not_found("resource")
            query_args = _load(query_schema, _query_dict(query_schema)) if query_schema else {}
            body_args = _load(body_schema, _json_body()) if body_schema else {}
            result = view(token=token, query=query_args, body=body_args, **path)
            if isinstance(result, Response):
                return result
            return jsonify(response.dump(result) if response else result), status

        bp.add_url_rule(rule, endpoint=view.__name__, view_func=handle, methods=[method])
        OPERATIONS.append(
            Operation(
                rule,
                method,
                view.__name__,
                summary,
                scope,
                query_schema,
                body_schema,
                response,
                status,
                content_types,
                tag,
            )
        )
        return handle

    return register


def _authenticate(scope: review.Scope) -> review.ApiToken:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not header[7:].strip():
        raise ApiError(401, "unauthorized", "send an API token: Authorization: Bearer <token>")
    legacy_days = current_app.config["HIREWATCH"].token_days
    with current_app.extensions["hirewatch.engine"].begin() as conn:
        token = review.authenticate_token(conn, header[7:].strip(), legacy_days)
    if token is None:
        raise ApiError(401, "unauthorized", "unknown, expired or revoked API token")
    if not token.allows(scope):
        raise ApiError(
            403, "forbidden", f"this endpoint needs a token with scope {scope.value!r}; {_HOW[scope]}"
        )
    g.api_token = token
    return token


# What a refused caller can do about it, per scope the endpoint needs.
_HOW = {
    review.Scope.OPERATOR: "an installation's token cannot create installations: ask the operator "
    "(`hirewatch installations add`, or a token from `hirewatch tokens create --operator`)",
    review.Scope.ADMIN: "use an admin token of the installation (an admin makes one with POST "
    "/api/v1/tokens, the operator with `hirewatch tokens create`); an operator token reads no "
    "installation's data",
    review.Scope.REVIEWER: "use a token of the installation; an operator token reads no installation's data",
}


def _query_dict(schema: Schema) -> dict:
    """Query args as the schema expects them: lists for List fields, single values otherwise."""
    from marshmallow import fields

    return {
        name: request.args.getlist(name) if isinstance(field, fields.List) else request.args[name]
        for name, field in schema.fields.items()
        if name in request.args
    }


def _json_body() -> dict:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested too deeply for the decoder: as malformed as any other
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "send a JSON object with Content-Type: application/json")
    return body


def _load(schema: Schema, data: dict) -> dict:
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ApiError(422, "invalid", "the request did not validate; see fields", exc.messages) from exc


def error_response(status: int, error: str, reason: str, field_errors: dict | None = None) -> Response:
    payload = {"error": error, "reason": reason}
    if field_errors:
        payload["fields"] = field_errors
    response = jsonify(payload)
    response.status_code = status
    return response


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> Response:
    return error_response(exc.status, exc.error, exc.reason, exc.field_errors)


@bp.errorhandler(Unavailable)
def _unavailable(exc: Unavailable) -> Response:
    return error_response(503, "unavailable", str(exc))


def http_error_as_json(exc: HTTPException):
    """App-wide handler: under /api/ every HTTP error (unknown route, wrong method...) is JSON."""
    if not request.path.startswith(bp.url_prefix + "/"):
        return exc
    response = error_response(
        exc.code or 500, (exc.name or "error").lower().replace(" ", "_"), exc.description or ""
    )
    allow = dict(exc.get_headers()).get("Allow")
    if allow:  # a 405 says which methods the route takes
        response.headers["Allow"] = allow
    return response


@bp.errorhandler(Exception)
def _unexpected_error(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return http_error_as_json(exc)
    current_app.logger.exception("api error path=%s", request.path)
    return error_response(500, "internal", "unexpected error; it has been logged, please retry later")


# --- OpenAPI ---

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def openapi_document() -> dict:
    spec = APISpec(
        title="HireWatch admin API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "Installations, applicants, screenings, decisions, re-screens, lists and audit."
        },
        servers=[{"url": bp.url_prefix}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=ErrorSchema)
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        path = _CONVERTER.sub(r"{\2}", op.rule)
        paths.setdefault(path, {})[op.method.lower()] = _operation_doc(op)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _operation_doc(op: Operation) -> dict:
    parameters = [
        {
            "in": "path",
            "name": name,
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_DB_ID}
            if converter == "int"
            else {"type": "string", "pattern": r"^[A-Za-z0-9_.:-]{1,64}$"},
        }
        for converter, name in _CONVERTER.findall(op.rule)
    ]
    if op.query is not None:
        parameters.append({"in": "query", "schema": type(op.query)})
    success: dict = {"description": "OK"}
    if op.response is not None or op.content_types != ("application/json",):
        success["content"] = {
            ctype: {"schema": op.response} if op.response is not None else {"schema": {"type": "string"}}
            for ctype in op.content_types
        }
    errors = {
        "400": "malformed request",
        "401": "missing or unknown token",
        "403": "token scope too narrow",
        "404": "not found in this installation",
        "409": "conflicts with the current state (a token already revoked)",
        "422": "request did not validate",
        "503": "a service this request needs (the task queue) is down: retry later",
    }
    responses = {str(op.status): success}
    responses.update(
        {
            code: {"description": text, "content": {"application/json": {"schema": "Error"}}}
            for code, text in errors.items()
        }
    )
    doc = {
        "summary": op.summary,
        "tags": [op.tag],
        "operationId": op.endpoint,
        "security": [{"bearer": []}],
        "parameters": parameters,
        "responses": responses,
    }
    if op.body is not None:
        doc["requestBody"] = {"required": True, "content": {"application/json": {"schema": type(op.body)}}}
    doc["x-scope"] = op.scope.value
    return doc
