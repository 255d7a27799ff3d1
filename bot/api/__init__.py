"""The KR value API for business systems: WSGI app, request parsing, schemas, OpenAPI document."""
