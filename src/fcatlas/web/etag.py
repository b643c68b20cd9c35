"""JSON answers with an ETag; ``If-None-Match`` with the same tag gets 304 and no body."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder


def encode(payload: Any) -> bytes:
    """``payload`` as compact UTF-8 JSON (the bytes every JSON answer of the API sends). Plain
    JSON types are written directly; anything else (dates, models, numpy numbers) goes through
    FastAPI's ``jsonable_encoder`` first, as before."""
    try:
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=_not_plain)
    except _NotPlain:
        text = json.dumps(jsonable_encoder(payload), ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


class _NotPlain(Exception):
    pass


def _not_plain(value: Any) -> Any:
    raise _NotPlain


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str, tag: str) -> bool:
    """Does the ``If-None-Match`` header name ``tag``?"""
    return tag in [t.strip() for t in if_none_match.split(",")]


def body_with_etag(request: Request, body: bytes, tag: str, status_code: int = 200) -> Response:
    """A JSON ``body`` already encoded, with its ETag ``tag`` (304 when the client has it)."""
    headers = {"ETag": tag, "Cache-Control": "no-cache"}
    if matches(request.headers.get("if-none-match", ""), tag):
        return Response(status_code=304, headers=headers)
    return Response(body, status_code=status_code, media_type="application/json", headers=headers)
