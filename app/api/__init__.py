"""The REST API: routers, typed dependencies and problem+json error handlers."""
