"""Errors the API answers as JSON `{"error", "reason"}` (see `routing`)."""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, error: str, reason: str, field_errors: dict | None = None):
        super().__init__(reason)
        self.status, self.error, self.reason, self.field_errors = status, error, reason, field_errors


class Unavailable(RuntimeError):
    """A piece of the service this request needs is not installed or not reachable (503)."""


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} not found in this installation")
