"""The HTTP API (``/api/v1``) and ``/healthz``."""
