"""Safe YAML loading that remembers line numbers, and errors that name ``file:line: field``.

Used for both datasets and rule files. ruamel.yaml's round-trip loader builds plain containers
only (no Python objects from tags), and keeps the line of every key and item, which pydantic's
error locations are mapped back to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import ScalarNode

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file, with where it is."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class FileProblems(Exception):
    """A file, or several, failed to load; ``problems`` says where and why."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Located:
    """Plain data loaded from YAML, and the round-trip tree that knows its lines."""

    file: str
    data: Any
    tree: Any

    def line_of(self, loc: Sequence[int | str]) -> int | None:
        """1-based line of the deepest node of ``loc`` found in the file."""
        node = self.tree
        line = _own_line(node)
        for key in loc:
            child_line: int | None = None
            try:
                if isinstance(node, CommentedMap) and key in node:
                    child_line = node.lc.key(key)[0] + 1
                    node = node[key]
                elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
                    child_line = node.lc.item(key)[0] + 1
                    node = node[key]
                else:
                    break
            except (TypeError, KeyError, AttributeError):  # nodes without position data
                break
            line = child_line
        return line

    def problems_from(
        self, error: ValidationError, prefix: Sequence[int | str] = ()
    ) -> list[Problem]:
        """Turn a pydantic error into ``file:line: field: message`` problems."""
        out = []
        for err in error.errors(include_url=False):
            loc = [*prefix, *(p for p in err["loc"] if not _is_tag(p))]
            out.append(Problem(self.file, self.line_of(loc), dotted(loc), _message(err)))
        return out

    def validate(self, model: type[M], prefix: Sequence[int | str] = ()) -> M:
        """Validate ``data`` (or the node at ``prefix``) against ``model``, or raise problems."""
        data = self.data
        for key in prefix:
            data = data[key]
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise FileProblems(self.problems_from(exc, prefix)) from None


def _own_line(node: Any) -> int | None:
    lc = getattr(node, "lc", None)
    return None if lc is None or lc.line is None else int(lc.line) + 1


def _is_tag(part: int | str) -> bool:
    # pydantic adds union tags ('function-after[...]', our '<all>') to locations.
    return isinstance(part, str) and ("[" in part or part.startswith(("function-", "<")))


def _message(err: Any) -> str:
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if err.get("type") == "extra_forbidden":
        msg = "unknown field"
    elif (
        "input" in err
        and err.get("type") not in ("missing",)
        and not isinstance(err["input"], dict | list)
        and repr(err["input"]) not in msg
    ):
        msg = f"{msg} (got {err['input']!r})"
    return msg


def dotted(loc: Sequence[int | str]) -> str:
    """``('states', 3, 'deposit')`` -> ``states[3].deposit``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, str) else k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, dt.datetime):
        return node
    if isinstance(node, dt.date):
        return dt.date(node.year, node.month, node.day)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that keeps an impossible date (2024-13-01) as text.

    ruamel raises a bare ValueError, without a line, for a timestamp that is not a real date;
    kept as a string, the record's model rejects it with its file and line.
    """

    def construct_yaml_timestamp(self, node: ScalarNode, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:
            return str(node.value)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    return yaml


def load_text(text: str, file: str) -> Located:
    """Parse YAML text; syntax errors become a located problem."""
    try:
        tree = _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise FileProblems([Problem(file, line, "", f"YAML: {problem}")]) from None
    except YAMLError as exc:
        raise FileProblems([Problem(file, None, "", f"YAML: {exc}")]) from None
    return Located(file, _plain(tree), tree)


def load_file(path: Path, shown_as: str | None = None) -> Located:
    """Read and parse a YAML file; ``shown_as`` is the name used in problems."""
    name = shown_as or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FileProblems([Problem(name, None, "", f"cannot read: {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise FileProblems([Problem(name, None, "", "not UTF-8 text")]) from None
    return load_text(text, name)
