"""domain.classify over all 16 combinations of the four base services × co-located or not.

The expected values are written out by hand from shared/DOMAIN.md (not derived with the rule):
familjecentral = all four co-located; familjecentralsliknande = co-located, BVC with at least
ÖF or SOC, two or three parties; annan samverkan = any other collaboration of two or more;
fewer than two services is no collaboration at all.
"""

from __future__ import annotations

import pytest

from fcatlas.domain import Category, NotACollaborationError, Service, classify

FC = Category.FAMILJECENTRAL
FCL = Category.FAMILJECENTRALSLIKNANDE
ANN = Category.ANNAN_SAMVERKAN
NONE = None  # not a collaboration

# (MVC, BVC, ÖF, SOC): (co-located, not co-located)
EXPECTED = {
    (0, 0, 0, 0): (NONE, NONE),
    (0, 0, 0, 1): (NONE, NONE),
    (0, 0, 1, 0): (NONE, NONE),
    (0, 0, 1, 1): (ANN, ANN),
    (0, 1, 0, 0): (NONE, NONE),
    (0, 1, 0, 1): (FCL, ANN),
    (0, 1, 1, 0): (FCL, ANN),
    (0, 1, 1, 1): (FCL, ANN),
    (1, 0, 0, 0): (NONE, NONE),
    (1, 0, 0, 1): (ANN, ANN),
    (1, 0, 1, 0): (ANN, ANN),
    (1, 0, 1, 1): (ANN, ANN),
    (1, 1, 0, 0): (ANN, ANN),  # MVC + BVC only: BVC lacks ÖF or SOC
    (1, 1, 0, 1): (FCL, ANN),
    (1, 1, 1, 0): (FCL, ANN),
    (1, 1, 1, 1): (FC, ANN),
}
ORDER = (Service.MVC, Service.BVC, Service.OF, Service.SOC)


def test_table_covers_all_16_combinations() -> None:
    assert len(EXPECTED) == 16


@pytest.mark.parametrize("co_located", [True, False], ids=["samlokaliserad", "inte_samlokaliserad"])
@pytest.mark.parametrize("bits", sorted(EXPECTED), ids=lambda b: "".join(map(str, b)))
def test_classify_every_combination(bits: tuple[int, ...], co_located: bool) -> None:
    services = [s for s, b in zip(ORDER, bits, strict=True) if b]
    expected = EXPECTED[bits][0 if co_located else 1]
    if expected is None:
        with pytest.raises(NotACollaborationError, match="minst två"):
            classify(services, co_located=co_located)
    else:
        assert classify(services, co_located=co_located) is expected
        # strings work as well as enum members, order does not matter
        assert classify([s.value for s in reversed(services)], co_located=co_located) is expected
