"""The rulebook: each rule with where it is written, and the JSON Schema of rule files."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api.deps import CheckerDep
from app.api.models import RuleInfo, RulesInfo
from app.engine import schema

router = APIRouter(prefix="/v1/rules", tags=["rules"])


@router.get("", operation_id="rules-list", summary="Every rule: file:line, priority, basis")
async def rules_list(checker: CheckerDep) -> RulesInfo:
    book = checker.rulebook
    return RulesInfo(
        version=book.version,
        files=list(book.files),
        rules=[
            RuleInfo(
                id=p.rule.id,
                title=p.rule.title,
                where=p.where,
                priority=p.rule.priority,
                basis=list(p.rule.basis),
                then=p.rule.then.model_dump(exclude_none=True, exclude_defaults=True, mode="json"),
                when=p.rule.when.model_dump(by_alias=True, exclude_none=True, mode="json"),
            )
            for p in book.rules
        ],
    )


@router.get("/schema", operation_id="rules-schema", summary="JSON Schema of rule files")
async def rules_schema() -> dict[str, Any]:
    return schema.rules_schema()
