"""``GET /healthz``: is the database reachable and the bundle loaded?"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from fcatlas.web.deps import SessionDep

router = APIRouter(tags=["drift"])


@router.get("/healthz", summary="Hälsokontroll",
            responses={200: {"description": "Tjänsten fungerar"}, 503: {"description": "Något saknas"}})
def healthz(request: Request, session: SessionDep) -> JSONResponse:
    """Svarar 200 när databasen svarar och datapaketet är inläst, annars 503 med vad som saknas."""
    try:
        db_ok = session.execute(text("SELECT 1")).scalar() == 1
    except Exception:  # noqa: BLE001 - any driver failure means "not reachable"
        db_ok = False
    bundle = request.app.state.bundle
    body = {
        "status": "ok" if db_ok and bundle is not None else "fel",
        "databas": db_ok,
        "datapaket": None if bundle is None else {"namn": bundle.label, "ar": bundle.years,
                                                  "syntetiskt": bundle.synthetic},
    }
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)


@router.get("/readyz", summary="Redo för anrop",
            responses={200: {"description": "Databasen svarar och schemat är aktuellt"},
                       503: {"description": "Databasen svarar inte, eller schemat behöver uppgraderas"}})
def readyz(request: Request) -> JSONResponse:
    """Svarar 200 när databasen svarar och dess schema är det som den här versionen av fcatlas
    väntar sig; annars 503 (en lastbalanserare skickar då inga anrop hit). ``/healthz`` svarar
    på om processen lever."""
    from fcatlas.services.health import readiness

    r = readiness(request.app.state.engine)
    body = {"status": "ok" if r.ready else "fel", "databas": r.database, "schema": r.schema}
    if r.schema == "gammalt":
        body["atgard"] = "kör 'fcatlas db upgrade'"
    return JSONResponse(body, status_code=200 if r.ready else 503)
