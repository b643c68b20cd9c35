"""The definitions of Socialstyrelsen, in one place.

Services, categories of units, statuses and the classification rule (used for the 2025
inventory) live here and nowhere else. See ``shared/DOMAIN.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Service(StrEnum):
    """The four base services of a family centre."""

    MVC = "MVC"  # mödrahälsovård (barnmorskemottagning, BMM) — region
    BVC = "BVC"  # barnhälsovård (barnavårdscentral) — region
    OF = "ÖF"  # öppen förskola — kommun
    SOC = "SOC"  # socialtjänst, minst förebyggande — kommun


SERVICE_LABELS: dict[Service, str] = {
    Service.MVC: "mödrahälsovård (MVC/BMM)",
    Service.BVC: "barnhälsovård (BVC)",
    Service.OF: "öppen förskola",
    Service.SOC: "socialtjänst (förebyggande)",
}

SERVICE_PRINCIPAL: dict[Service, str] = {
    Service.MVC: "region",
    Service.BVC: "region",
    Service.OF: "kommun",
    Service.SOC: "kommun",
}


class Category(StrEnum):
    """Socialstyrelsen's three categories of units."""

    FAMILJECENTRAL = "familjecentral"
    FAMILJECENTRALSLIKNANDE = "familjecentralsliknande"
    ANNAN_SAMVERKAN = "annan_samverkan"


CATEGORY_LABELS: dict[Category, str] = {
    Category.FAMILJECENTRAL: "Familjecentral",
    Category.FAMILJECENTRALSLIKNANDE: "Familjecentralsliknande verksamhet",
    Category.ANNAN_SAMVERKAN: "Annan form av samverkan",
}

#: Categories that count as a "centre" in reports (familjecentral in the wide sense).
CENTRE_CATEGORIES: frozenset[Category] = frozenset(
    {Category.FAMILJECENTRAL, Category.FAMILJECENTRALSLIKNANDE}
)


def implied_by(category: Category) -> tuple[frozenset[Service], bool | None]:
    """What a category alone says about a unit: the services certainly present and whether they
    are co-located (``None``: the category does not say).

    >>> implied_by(Category.FAMILJECENTRALSLIKNANDE)
    (frozenset({<Service.BVC: 'BVC'>}), True)
    """
    if category is Category.FAMILJECENTRAL:
        return frozenset(Service), True
    if category is Category.FAMILJECENTRALSLIKNANDE:
        return frozenset({Service.BVC}), True
    return frozenset(), None


class SitingObjective(StrEnum):
    """What a siting run optimises (``fcatlas site --objective``; a siting result's objective)."""

    TACKNING = "tackning"  # maximal covering: the most weight within reach with p new sites
    ANTAL = "antal"  # set covering: the fewest new sites that reach a target share of the weight
    AVSTAND = "avstand"  # p-median: the least weighted distance to the nearest site


class Status(StrEnum):
    """Life-cycle status of a unit."""

    I_DRIFT = "i_drift"
    PLANERAD = "planerad"
    AVSIKTSFORKLARING = "avsiktsforklaring"
    NEDLAGD = "nedlagd"


STATUS_LABELS: dict[Status, str] = {
    Status.I_DRIFT: "I drift",
    Status.PLANERAD: "Planerad",
    Status.AVSIKTSFORKLARING: "Avsiktsförklaring",
    Status.NEDLAGD: "Nedlagd",
}


class NotACollaborationError(ValueError):
    """The services given do not make any of the three categories (no base service at all,
    or a single service alone)."""


def classify(services: Iterable[Service | str], co_located: bool) -> Category:
    """Classify a unit by Socialstyrelsen's definitions.

    Parameters
    ----------
    services : iterable of Service or str
        The base services taking part (``"MVC"``, ``"BVC"``, ``"ÖF"``, ``"SOC"``). Other partners
        (library, dental care …) do not change the category and must not be passed here.
    co_located : bool
        Whether the whole ordinary activity of each party is located at the unit.

    Returns
    -------
    Category
        * ``familjecentral``: all four co-located;
        * ``familjecentralsliknande``: co-located, BVC present with at least ÖF or SOC
          (MVC may also be there) — two or three parties;
        * ``annan_samverkan``: any other collaboration of at least two base services
          (not co-located, or co-located without BVC or without ÖF/SOC beside BVC).

    Raises
    ------
    NotACollaborationError
        Fewer than two base services: that is not a collaboration.

    Examples
    --------
    >>> classify(["MVC", "BVC", "ÖF", "SOC"], co_located=True)
    <Category.FAMILJECENTRAL: 'familjecentral'>
    >>> classify(["BVC", "SOC"], co_located=True)
    <Category.FAMILJECENTRALSLIKNANDE: 'familjecentralsliknande'>
    >>> classify(["MVC", "BVC", "ÖF", "SOC"], co_located=False)
    <Category.ANNAN_SAMVERKAN: 'annan_samverkan'>
    """
    present = {Service(s) for s in services}
    if len(present) < 2:
        raise NotACollaborationError(
            "minst två av MVC, BVC, öppen förskola och socialtjänst krävs för att det ska vara "
            "en samverkan"
        )
    if co_located:
        if present == set(Service):
            return Category.FAMILJECENTRAL
        if Service.BVC in present and (Service.OF in present or Service.SOC in present):
            return Category.FAMILJECENTRALSLIKNANDE
    return Category.ANNAN_SAMVERKAN


OMRADESTYP_LABELS: dict[int, str] = {
    1: "Stora socioekonomiska utmaningar",
    2: "Socioekonomiska utmaningar",
    3: "Socioekonomiskt blandade",
    4: "Goda socioekonomiska förutsättningar",
    5: "Mycket goda socioekonomiska förutsättningar",
}


#: Optional governance facts per unit (register columns, values ja / nej / okänt = True/False/None),
#: as asked in Socialstyrelsen's and Folkhälsomyndigheten's national mapping 2023.
GOVERNANCE_FIELDS: tuple[str, ...] = (
    "gov_steering_group",
    "gov_coordinator",
    "gov_written_agreement",
    "gov_joint_plan",
    "gov_joint_followup",
    "gov_joint_meetings",
)

GOVERNANCE_LABELS: dict[str, str] = {
    "gov_steering_group": "Styrgrupp eller ledningsgrupp",
    "gov_coordinator": "Samordnare",
    "gov_written_agreement": "Skriftligt samverkansavtal",
    "gov_joint_plan": "Gemensam verksamhetsplan",
    "gov_joint_followup": "Gemensam uppföljning",
    "gov_joint_meetings": "Gemensamma möten för alla aktörer",
}

#: The national figures to compare with, quoted as the source words them (``share``: the figure
#: as a fraction where the source gives one, else ``None``).
GOVERNANCE_NATIONAL_SOURCE = (
    "Socialstyrelsen och Folkhälsomyndigheten, kartläggning av familjecentraler och "
    "familjecentralsliknande verksamheter 2023 (återgiven i Region Dalarna, HSN 2026/4486)"
)
GOVERNANCE_NATIONAL: dict[str, tuple[str, float | None]] = {
    "gov_steering_group": ("i princip alla har en lednings- eller styrgrupp på chefsnivå", None),
    "gov_coordinator": ("de flesta har en samordnare/koordinator eller motsvarande funktion", None),
    "gov_written_agreement": ("9 av 10 har ett skriftligt samverkansavtal", 0.9),
    "gov_joint_plan": ("nästan lika många (som 9 av 10) har en gemensam verksamhetsplan", None),
    "gov_joint_followup": ("cirka 70 % har en gemensam uppföljning", 0.7),
    "gov_joint_meetings": ("96 % har gemensamma möten för samtliga aktörer", 0.96),
}


# -- shared rules of the year's cycle -----------------------------------------------------------

#: The years the service takes as a grant year, an inventory round, a data year or a date in a
#: report: one rule, checked by :func:`plausible_year` (the faces' forms and options use the bounds).
FIRST_YEAR = 2000
LAST_YEAR = 2100


def plausible_year(year: int) -> bool:
    """True when ``year`` lies within :data:`FIRST_YEAR`–:data:`LAST_YEAR`.

    >>> plausible_year(2026), plausible_year(1999), plausible_year(2101)
    (True, False, False)
    """
    return FIRST_YEAR <= int(year) <= LAST_YEAR


#: The largest amount of kronor a grant's total, fixed amount or a report's amount may be (whole
#: kronor in Python integers; far beyond any real amount, but it keeps every sum exact).
MAX_SEK = 10**18

#: The fixed amount per eligible region of the state grant for family centres (kronor), the
#: default of every face until the national level decides another.
DEFAULT_FIXED_SEK = 815_000


def comment_given(comment: str | None) -> bool:
    """True when a comment says something (not empty, not only spaces): returning a list or a
    report needs one.

    >>> comment_given("  "), comment_given(None), comment_given("Komplettera kontot")
    (False, False, True)
    """
    return bool(comment and comment.strip())
