"""fcatlas.accounts — who may do what: accounts, roles, passwords, API tokens, login sessions.

* :mod:`.roles` — the roles (``nationell``, ``region`` at level ``foretradare`` or ``handlaggare``)
  and :class:`~.roles.Actor`, the acting user every service receives, with its permission rules;
* :mod:`.credentials` — argon2id password hashes, random tokens stored only as SHA-256 digests;
* :mod:`.models` — the tables (Alembic branch ``accounts``);
* :mod:`.store` — keyword-only functions on a SQLAlchemy ``Session`` (one unit of work).
"""
