"""fcatlas.services — the use cases that both faces (CLI and web) call: typed requests, a unit of work
(a SQLAlchemy ``Session``) and the acting user (:class:`fcatlas.accounts.roles.Actor`) in, results
out. The permission check is each service's first line."""
