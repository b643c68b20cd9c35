"""Kommun and län borders for the web map: :func:`fcatlas.geography.borders.border_lines` as
GeoJSON (WGS 84), ready to send with its gzip-compressed form and an ETag; a face that answers
many requests passes a :class:`fcatlas.services.memo.Memo` to keep it (the layer depends only on
the bundle and the parameters)."""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from fcatlas.errors import NotFoundError
from fcatlas.geography.codes import validate
from fcatlas.services.memo import Memo, remembered


@dataclass(frozen=True)
class BorderLayer:
    """A GeoJSON layer ready to send: the body, the same gzip-compressed, and its ETag."""

    body: bytes
    gzipped: bytes
    etag: str


def borders_geojson(bundle: Any, *, lan: str | None = None, tolerance_m: float = 50.0,
                    memo: Memo | None = None) -> BorderLayer:
    """The kommun borders of ``lan`` (or of the country) and the län border(s) as a GeoJSON
    FeatureCollection of lines: one feature per kommun (``kind`` "kommun", ``code`` the kommun
    code), then one per län (``kind`` "lan"), simplified by ``tolerance_m``, coordinates to 5
    decimals (≈ 1 m)."""
    code = None if lan is None else validate("lan", lan)
    if code is not None and code not in set(bundle.lan_table()["lan_code"]):
        raise NotFoundError(f"län {code} finns inte i datapaketet {bundle.label}")
    return remembered(memo, lambda: ("borders", str(bundle.path), code, tolerance_m),
                      lambda: _layer(bundle, code, tolerance_m))


def _layer(bundle: Any, code: str | None, tolerance_m: float) -> BorderLayer:
    import shapely

    from fcatlas.geography.borders import border_lines

    lines = border_lines(bundle, code, tolerance_m=tolerance_m).to_crs("EPSG:4326")
    shapes = shapely.set_precision(lines.geometry.values, 1e-5)
    features = []
    for row, g in zip(lines.drop(columns="geometry").to_dict(orient="records"), shapes, strict=True):
        features.append({"type": "Feature", "id": f"{row['kind']}-{row['code']}",
                         "geometry": None if g is None or g.is_empty else shapely.geometry.mapping(g),
                         "properties": {k: str(v) for k, v in row.items()}})
    doc = {"type": "FeatureCollection", "features": features,
           "fcatlas": {"bundle": bundle.manifest.get("label"), "simplified_m": tolerance_m}}
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return BorderLayer(body, gzip.compress(body, compresslevel=6), '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
