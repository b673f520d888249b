"""The durable-rules backend: compiled rulesets, and one safe way to evaluate a fact record.

What durable-rules 2.0.28 needs from its caller (each is covered by tests/test_engine.py):
- its default Host runs background dispatch threads that can run an action on another thread
  and return a result without it: this Host starts none, and actions run inside the call;
- its C core keeps global state and crashes when called from several threads at once: every
  call goes through one process-wide lock, old and new rulebooks alike;
- states never deleted fill a fixed table (1,024 live states) and two live states whose ids share
  a 32-bit hash share facts: each evaluation uses a fresh state and deletes it before the lock
  is released, so at most one state is ever alive;
- a message no rule matches raises: every ruleset gets a catch-all rule;
- an exception inside an action is swallowed into ``state["exception"]``: it is raised here;
- there is no safe in-place reload: a new rulebook builds a new Host.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from typing import Any

from durable import engine as durable_engine

from app.engine.compiler import DISCRIMINATOR, compile_rule, engine_message
from app.engine.language import Rule

#: One lock for the C core, whatever the number of hosts.
ENGINE_LOCK = threading.Lock()
_sids = itertools.count(1)
_generations = itertools.count(1)
CATCH_ALL = "__catch_all__"


class EngineFailure(RuntimeError):
    """The engine failed to evaluate a fact record; never taken as an answer."""


class _QuietHost(durable_engine.Host):  # type: ignore[misc]
    """A Host without the background dispatch and timer threads."""

    def _run(self) -> None:
        return None


class CompiledRulebook:
    """Rule files compiled into durable-rules rulesets (one ruleset per file)."""

    def __init__(self, files: Sequence[tuple[str, Sequence[Rule]]]) -> None:
        generation = next(_generations)
        self._sink: list[str] | None = None
        definitions: dict[str, dict[str, Any]] = {}
        self.ruleset_names: list[str] = []
        for index, (file_name, rules) in enumerate(files):
            name = f"g{generation}-f{index}-{_safe(file_name)}"
            definition: dict[str, Any] = {}
            for rule in rules:
                definition[rule.id] = {
                    "all": [{"m": compile_rule(rule.when)}],
                    "run": self._recorder(rule.id),
                }
            definition[CATCH_ALL] = {"all": [{"m": dict(DISCRIMINATOR)}], "run": _nothing}
            definitions[name] = definition
            self.ruleset_names.append(name)
        with ENGINE_LOCK:
            self._host = _QuietHost()
            self._host.set_rulesets(definitions)

    def _recorder(self, rule_id: str) -> Any:
        def record(_closure: Any) -> None:
            if self._sink is None:
                raise EngineFailure(f"rule {rule_id} fired outside an evaluation")
            self._sink.append(rule_id)

        return record

    def fire(self, flat: dict[str, Any]) -> list[str]:
        """Ids of the rules whose conditions hold for the flat fact record, as the engine says."""
        message = engine_message(flat)
        fired: list[str] = []
        with ENGINE_LOCK:
            self._sink = fired
            try:
                for name in self.ruleset_names:
                    sid = str(next(_sids))
                    try:
                        state = self._host.assert_fact(
                            name, {"sid": sid, "id": "facts", **DISCRIMINATOR, **message}
                        )
                    except durable_engine.MessageNotHandledException as exc:
                        raise EngineFailure(f"no rule handled the facts in {name}") from exc
                    finally:
                        self._host.delete_state(name, sid)
                    if isinstance(state, dict) and state.get("exception"):
                        raise EngineFailure(f"a rule action failed: {state['exception']}")
            finally:
                self._sink = None
        return fired


def _nothing(_closure: Any) -> None:
    return None


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name)
