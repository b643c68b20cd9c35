"""The economics room's named error (Swedish messages)."""

from __future__ import annotations

from fcatlas.errors import InvalidInputError


class EconomicsError(InvalidInputError):
    """The inputs of a payment, settlement or cost model do not add up (Swedish message)."""
