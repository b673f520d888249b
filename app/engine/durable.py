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
- there is no safe in-place reload: a new rulebook builds a new Host;
- a Host never frees its rulesets' C memory (about 0.5 MB a rulebook): when a compiled rulebook
  is no longer referenced, its rulesets are deleted (``delete_ruleset``) the next time the lock
  is taken, never from a finaliser, which may run while the lock is held.
"""

from __future__ import annotations

import itertools
import threading
import weakref
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
#: C handles of rulesets whose rulebook is gone, deleted under the lock by the next caller.
_retired: list[int] = []


def _retire(handle: int) -> None:
    _retired.append(handle)  # a finaliser: no lock here, list.append is atomic


def _delete_retired() -> None:
    """Free the C memory of retired rulesets; the caller holds ENGINE_LOCK."""
    global _live
    while _retired:
        durable_engine.durable_rules_engine.delete_ruleset(_retired.pop())
        _live -= 1


def live_rulesets() -> int:
    """Rulesets allocated in the C core, retired ones not yet deleted included."""
    return _live


_live = 0


class EngineFailure(RuntimeError):
    """The engine failed to evaluate a fact record; never taken as an answer."""


class _QuietHost(durable_engine.Host):  # type: ignore[misc]
    """A Host without the background dispatch and timer threads."""

    def _run(self) -> None:
        return None


class CompiledRulebook:
    """Rule files compiled into one durable-rules ruleset.

    One ruleset for all files, not one per file: an evaluation then asserts the facts once
    (one state made and deleted, one catch-all action) instead of once per file, a quarter of
    the cost with five files; which rules fire does not depend on how they are grouped."""

    def __init__(self, files: Sequence[tuple[str, Sequence[Rule]]]) -> None:
        global _live
        generation = next(_generations)
        # The actions write into this box, not into self: no reference cycle, so the rulebook
        # is freed (and its rulesets retired) as soon as the last reference goes.
        self._box: list[list[str] | None] = [None]
        definition: dict[str, Any] = {}
        for _file_name, rules in files:
            for rule in rules:
                if rule.id in definition:  # load_rulebook refuses these with their lines
                    raise ValueError(f"duplicate rule id {rule.id!r}")
                definition[rule.id] = {
                    "all": [{"m": compile_rule(rule.when)}],
                    "run": _recorder(self._box, rule.id),
                }
        definition[CATCH_ALL] = {"all": [{"m": dict(DISCRIMINATOR)}], "run": _nothing}
        self.ruleset_name = f"g{generation}-rules"
        with ENGINE_LOCK:
            _delete_retired()
            self._host = _QuietHost()
            self._host.set_rulesets({self.ruleset_name: definition})
            handle = self._host.get_ruleset(self.ruleset_name)._handle
            _live += 1
        weakref.finalize(self, _retire, handle)

    def fire(self, flat: dict[str, Any]) -> list[str]:
        """Ids of the rules whose conditions hold for the flat fact record, as the engine says."""
        message = engine_message(flat)
        fired: list[str] = []
        name = self.ruleset_name
        with ENGINE_LOCK:
            _delete_retired()
            self._box[0] = fired
            sid = str(next(_sids))
            try:
                state = self._host.assert_fact(
                    name, {"sid": sid, "id": "facts", **DISCRIMINATOR, **message}
                )
            except durable_engine.MessageNotHandledException as exc:
                raise EngineFailure(f"no rule handled the facts in {name}") from exc
            finally:
                self._host.delete_state(name, sid)
                self._box[0] = None
            if isinstance(state, dict) and state.get("exception"):
                raise EngineFailure(f"a rule action failed: {state['exception']}")
        return fired


def _recorder(box: list[list[str] | None], rule_id: str) -> Any:
    def record(_closure: Any) -> None:
        sink = box[0]
        if sink is None:
            raise EngineFailure(f"rule {rule_id} fired outside an evaluation")
        sink.append(rule_id)

    return record


def _nothing(_closure: Any) -> None:
    return None
