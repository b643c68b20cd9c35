"""All the pages as one router (``app.include_router(pages.router.router)``)."""

from __future__ import annotations

from fastapi import APIRouter

from fcatlas.web.pages import accounts, auth, gaps, grants, national, public, region

router = APIRouter(include_in_schema=False)
for _r in (public.router, gaps.router, auth.router, region.router, national.router, grants.router, accounts.router):
    router.include_router(_r)
