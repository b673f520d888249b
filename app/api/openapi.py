"""The OpenAPI document as the service really answers: errors are RFC 9457 problem+json."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details: what was wrong and where.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {
            "type": "string",
            "description": "A URI naming the kind of problem.",
            "examples": ["https://icc-exposure.example/problems/invalid-input"],
        },
        "title": {"type": "string", "description": "Short summary.", "examples": ["Invalid input"]},
        "status": {"type": "integer", "description": "HTTP status.", "examples": [422]},
        "detail": {
            "type": "string",
            "description": "What was wrong.",
            "examples": ["query:date: a date must be written YYYY-MM-DD (ISO 8601)"],
        },
        "instance": {
            "type": "string",
            "description": "The request path.",
            "examples": ["/v1/exposure"],
        },
        "field": {
            "type": "string",
            "description": "Where, when one field.",
            "examples": ["country"],
        },
        "errors": {
            "type": "array",
            "description": "Each invalid field, for request validation errors.",
            "items": {
                "type": "object",
                "properties": {
                    "field": {
                        "type": "string",
                        "description": "Where.",
                        "examples": ["query:date"],
                    },
                    "message": {
                        "type": "string",
                        "description": "Why.",
                        "examples": ["a date must be written YYYY-MM-DD (ISO 8601)"],
                    },
                },
            },
        },
        "choices": {
            "type": "array",
            "description": "For an ambiguous country: the candidates (iso3, name). For an "
            "ambiguous person: each person the name may mean (id, name, matched, score, "
            "active_warrant on the date, exposure and obligation on the date).",
            "items": {"type": "object"},
            "examples": [
                [{"iso3": "COG", "name": "Republic of the Congo"}],
                [
                    {
                        "id": "gaddafi-saif-al-islam",
                        "name": "Saif Al-Islam Gaddafi",
                        "matched": "Saif Al-Islam Gaddafi",
                        "score": 0.85,
                        "active_warrant": True,
                        "exposure": "high",
                        "obligation": True,
                    }
                ],
            ],
        },
        "date": {
            "type": "string",
            "description": "For an ambiguous person: the date the choices' exposures are for.",
            "examples": ["2025-06-01"],
        },
        "suggestions": {
            "type": "array",
            "description": "For an unknown country: close names.",
            "items": {"type": "object"},
        },
    },
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


#: Statuses any operation with a request body can answer, before the route runs.
BODY_ERRORS = {
    "400": "The body is not UTF-8, or its JSON nests too deep or holds an integer too long "
    "to read (problem+json).",
    "413": "The body is larger than the limit (problem+json).",
}
UNAUTHORIZED = "No API key, or an unknown one (problem+json); see ICC_EXPOSURE_REQUIRE_KEY."
PUBLIC_OPERATIONS = {"meta-healthz", "meta-readyz"}


def install(app: FastAPI, *, require_key: bool = False) -> None:
    """Replace FastAPI's default 422 schema (which this service never sends) with Problem, and
    document every status the service answers: the body errors that come before a route, and
    401 everywhere but health and readiness when keys are required."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        schemas["Problem"] = PROBLEM_SCHEMA
        if require_key:
            document["components"]["securitySchemes"] = {
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "bearer": {"type": "http", "scheme": "bearer"},
            }
        for methods in document.get("paths", {}).values():
            for operation in methods.values():
                responses = operation.setdefault("responses", {})
                if "requestBody" in operation:
                    for code, text in BODY_ERRORS.items():
                        responses.setdefault(code, {"description": text})
                if require_key and operation.get("operationId") not in PUBLIC_OPERATIONS:
                    responses.setdefault("401", {"description": UNAUTHORIZED})
                    operation["security"] = [{"apiKey": []}, {"bearer": []}]
                for code, response in responses.items():
                    if code.isdigit() and int(code) >= 400:
                        # Keep an example a route gives; the schema is always Problem.
                        given = response.get("content", {}).get("application/problem+json", {})
                        body: dict[str, Any] = {"schema": PROBLEM_REF}
                        if "example" in given:
                            body["example"] = given["example"]
                        response["content"] = {"application/problem+json": body}
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
