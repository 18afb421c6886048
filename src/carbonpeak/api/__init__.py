"""The REST API (FastAPI) under /api/v1; OpenAPI at /docs."""
