"""Assertions on the API's one error body."""

from __future__ import annotations

from typing import Any


def assert_problem(response: Any, status: int, *fields: str) -> dict[str, Any]:
    """The response is a ``status`` error in the shared shape, naming each of ``fields``."""
    assert response.status_code == status, (response.status_code, getattr(response, "content", b"")[:2000])
    body = response.json()
    assert set(body) == {"status", "title", "detail", "errors"}, body
    assert body["status"] == status
    assert body["title"] and body["detail"]
    assert body["errors"] and all(isinstance(v, list) and v for v in body["errors"].values()), body
    for field in fields:
        assert field in body["errors"], (field, body["errors"])
    return body
