"""The seed's values, the documented defaults of the regional payment models (Region Dalarna,
*Familjecentraler i Dalarna – en framtida inriktning*, vårdval 2026). Plain constants: the CLI
reads them for its help without loading the models."""

#: Kronor per listed child 0–6 and year (Region Dalarna, vårdval 2026).
DEFAULT_RATE_CHILD_SEK = 90
#: Kronor per listed woman 16–54 and year (Region Dalarna, vårdval 2026).
DEFAULT_RATE_WOMAN_SEK = 55
#: The common pot for all family centres in 2026 (Region Dalarna; 2,100,000 kr in 2025).
DEFAULT_POT_SEK = 2_300_000
#: Kronor per visit at another centre's family centre (Region Dalarna).
DEFAULT_VISIT_PRICE_SEK = 600
