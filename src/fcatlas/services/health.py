"""Is this instance ready for requests? The database answers and its schema is the one this
version of fcatlas expects (``fcatlas db upgrade`` has been run)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from fcatlas.db import schema_state

#: :func:`fcatlas.db.schema_state`'s words in the answer of ``/readyz``
SCHEMA_WORDS = {"current": "aktuellt", "old": "gammalt", "newer": "nyare", "empty": "saknas",
                "unversioned": "utan version"}


@dataclass(frozen=True)
class Readiness:
    #: the database answered
    database: bool
    #: ``aktuellt`` (current), ``gammalt`` (to be upgraded: ``fcatlas db upgrade``), ``nyare`` (made by
    #: a newer fcatlas), ``saknas`` (no schema), ``utan version`` or ``okänt`` (the database did not answer)
    schema: str

    @property
    def ready(self) -> bool:
        return self.database and self.schema == "aktuellt"


def readiness(engine: Engine) -> Readiness:
    """Ask the database whether it answers and which schema revision it carries."""
    try:
        state = schema_state(engine)
    except Exception:  # noqa: BLE001 - any driver failure means "not reachable"
        return Readiness(database=False, schema="okänt")
    return Readiness(database=True, schema=SCHEMA_WORDS.get(state, state))
