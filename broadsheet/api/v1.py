"""Broadsheet's REST API, version 1 (OpenAPI at /api/v1/openapi.json, docs in docs/api.md)."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Broadsheet API",
    version="1",
    description="Read and write reader discussions. Cookie sessions must send the CSRF token.",
    urls_namespace="api-v1",
)
