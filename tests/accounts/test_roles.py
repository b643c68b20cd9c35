"""The permission rules of the roles (pure)."""

import pytest

from fcatlas.accounts.roles import ANONYMOUS, Actor, Level
from fcatlas.errors import PermissionDeniedError

NAT = Actor.national("n@socialstyrelsen.se")
H20 = Actor.region_user("h@dalarna.se", lan_code="20", level=Level.HANDLAGGARE)
F20 = Actor.region_user("f@dalarna.se", lan_code="20", level=Level.FORETRADARE)
F18 = Actor.region_user("f@orebro.se", lan_code="18", level=Level.FORETRADARE)


@pytest.mark.parametrize(("actor", "see", "edit", "submit", "review", "accounts"), [
    (ANONYMOUS, False, False, False, False, False),
    (H20, True, True, False, False, False),
    (F20, True, True, True, False, False),
    (F18, False, False, False, False, False),
    (NAT, True, True, False, True, True),
])
def test_matrix_for_region_20(actor, see, edit, submit, review, accounts):
    assert actor.may_see_drafts("20") is see
    assert actor.may_edit_region("20") is edit
    assert actor.may_submit_region("20") is submit
    assert actor.may_review() is review
    assert actor.may_manage_accounts() is accounts


def test_require_names_who_and_what_in_swedish():
    with pytest.raises(PermissionDeniedError, match=r"region 20 \(handläggare\) får inte skicka in"):
        H20.require(H20.may_submit_region("20"), "skicka in regionens lista")
    with pytest.raises(PermissionDeniedError, match="logga in"):
        ANONYMOUS.require(False, "se utkast")
    F20.require(F20.may_submit_region("20"), "skicka in regionens lista")  # no error
