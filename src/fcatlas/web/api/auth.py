"""``POST /api/v1/auth/token``: e-mail and password for a Bearer token."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from fcatlas.errors import AuthenticationError, ThrottledError
from fcatlas.services import accounts
from fcatlas.web.deps import ActorDep, ConfigDep, SessionDep, client_address, commit_even_if, json_body
from fcatlas.web.problems import responses

router = APIRouter(dependencies=[Depends(json_body)], prefix="/api/v1/auth", tags=["inloggning"])


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    email: str = Field(max_length=254, description="Kontots e-postadress.")
    password: str = Field(max_length=1024, description="Kontots lösenord.")


class TokenResponse(BaseModel):
    access_token: str = Field(description="Nyckeln; skicka den som 'Authorization: Bearer <nyckel>'.")
    token_type: str = Field("bearer", description="Alltid 'bearer'.")
    expires_at: dt.datetime = Field(description="När nyckeln slutar gälla (UTC).")


class Me(BaseModel):
    email: str = Field(description="Kontots e-postadress.")
    roll: str = Field(description="'nationell' eller 'region'.")
    lan_code: str | None = Field(description="Regionens länskod (rollen region).")
    niva: str | None = Field(description="'foretradare' eller 'handlaggare' (rollen region).")


@router.post("/token", response_model=TokenResponse, summary="Logga in och få en nyckel",
             responses=responses(401, 422, 429))
def token(body: TokenRequest, request: Request, session: SessionDep, config: ConfigDep) -> TokenResponse:
    """Byter e-postadress och lösenord mot en nyckel (Bearer-token) som gäller i några timmar.

    Misslyckade inloggningar begränsas per konto och per adress; svaret är detsamma oavsett om
    kontot finns eller inte."""
    throttle = accounts.Throttle(per_account=config.login_per_account, per_address=config.login_per_address,
                                 window=dt.timedelta(seconds=config.login_window_s))
    commit_even_if(request, AuthenticationError, ThrottledError)  # the failed attempt counts for every worker
    tok, expires = accounts.login_token(session, email=body.email, password=body.password,
                                        address=client_address(request), throttle=throttle,
                                        lifetime=dt.timedelta(hours=config.token_hours))
    return TokenResponse(access_token=tok, token_type="bearer", expires_at=expires)


@router.get("/me", response_model=Me, summary="Vem är inloggad?",
            responses=responses(401))
def me(actor: ActorDep) -> Me:
    """Det inloggade kontot och dess roll."""
    if actor.is_anonymous:
        raise AuthenticationError("du är inte inloggad")
    return Me(email=actor.name, roll=str(actor.role), lan_code=actor.lan_code,
              niva=str(actor.level) if actor.level else None)
