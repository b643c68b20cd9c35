"""fcatlas.web — the shared web service (FastAPI): the HTTP API under ``/api/v1`` and, later, the
Swedish pages. Routes call the same rooms and services as the CLI; no business rule lives here.

* :mod:`.app` — ``create_app(config)``, the app factory (also for ``uvicorn --factory``);
* :mod:`.deps` — dependencies: the unit of work per request, the acting user;
* :mod:`.problems` — every error as JSON ``{"fel": …, "detaljer": […]}`` with its HTTP status;
* :mod:`.api` — the routers.
"""
