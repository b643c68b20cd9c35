"""``/api/docs``: the API's interactive description (swagger-ui), served by the service itself
from the npm package ``swagger-ui-dist`` in ``node_modules`` (``npm ci``), as Leaflet is — never
from a CDN. Its start script is a file of ours (``docs_static/init.js``): no inline script, so
the page runs under the same Content-Security-Policy as the others (:mod:`fcatlas.web.hardening`).
Without ``node_modules`` the page says how to get it (404)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response

router = APIRouter(include_in_schema=False)

HERE = Path(__file__).parent
#: the files of swagger-ui-dist that are served (nothing else in node_modules is reachable)
FILES = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-standalone-preset.js": "text/javascript",
    "favicon-32x32.png": "image/png",
}

PAGE = """<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fcatlas – API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png">
</head>
<body>
<main id="swagger-ui"></main>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/swagger-ui-standalone-preset.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
"""


def _package() -> Path | None:
    from fcatlas.web.pages.common import node_modules

    root = node_modules()
    if root is None or not (root / "swagger-ui-dist" / "swagger-ui-bundle.js").is_file():
        return None
    return root / "swagger-ui-dist"


_MISSING = "swagger-ui saknas (kör 'npm ci' i fcatlas katalog); API-beskrivningen finns på /openapi.json"


@router.get("/api/docs")
def docs() -> Response:
    if _package() is None:
        return Response(_MISSING, status_code=404, media_type="text/plain; charset=utf-8")
    return HTMLResponse(PAGE)


@router.get("/api/docs/{name}")
def docs_file(name: str) -> Response:
    if name == "init.js":
        return FileResponse(HERE / "docs_static" / "init.js", media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=3600"})
    package = _package()
    if name not in FILES or package is None:
        return Response("finns inte", status_code=404, media_type="text/plain; charset=utf-8")
    return FileResponse(package / name, media_type=FILES[name], headers={"Cache-Control": "public, max-age=86400"})
