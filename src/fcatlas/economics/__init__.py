"""Regional economics of family centres: payment models, settlements, shared costs, listed
children and their outlook.

Pure modules (no file, network or database access; integer kronor, exact apportionment):

* :mod:`~fcatlas.economics.listed` — listed children per health centre, kommun and län over time;
* :mod:`~fcatlas.economics.payment` — the add-on payment per listed child and woman from a pot
  (Region Dalarna's model);
* :mod:`~fcatlas.economics.visits` — settlement of visits at another centre's family centre;
* :mod:`~fcatlas.economics.costs` — shared premises and common costs, with caps;
* :mod:`~fcatlas.economics.outlook` — children 0–6 per area and kommun projected to 2030.

The edges: :mod:`~fcatlas.economics.intake` reads the input files (through the register's
tolerant table reader) and :mod:`~fcatlas.economics.store` keeps listed counts in the project
database (tables in :mod:`~fcatlas.economics.models`, Alembic branch ``economics``).
"""
