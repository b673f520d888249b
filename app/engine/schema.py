"""JSON Schemas of rule files and of the fact record, for editors (yaml-language-server)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.engine.facts import FACTS, FactRecord
from app.engine.language import RuleFile

FACT_NAMES = sorted(FACTS)


def rules_schema() -> dict[str, Any]:
    schema = RuleFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "icc-exposure rule file"
    # Offer the fact names for completion in `fact:`.
    leaf = schema.get("$defs", {}).get("Leaf", {})
    if "properties" in leaf and "fact" in leaf["properties"]:
        leaf["properties"]["fact"]["enum"] = FACT_NAMES
    return schema


def facts_schema() -> dict[str, Any]:
    schema = FactRecord.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "icc-exposure fact record"
    return schema


def rendered() -> dict[str, str]:
    """File name -> JSON text, as written under rules/schema/."""
    return {
        "rules.schema.json": json.dumps(rules_schema(), indent=2, ensure_ascii=False) + "\n",
        "facts.schema.json": json.dumps(facts_schema(), indent=2, ensure_ascii=False) + "\n",
    }


def write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for name, text in rendered().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out
