"""The answer cache (app/answers.py): an answer served from an interval's template is byte for
byte the answer the per-call path computes, on every day, across every change date."""

from __future__ import annotations

import datetime as dt
import gc
import random
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi.testclient import TestClient

from app.api.fastpath import CachedAnswers, query_pairs
from app.api.routes.meta import HEALTHY
from app.checks import DECISION_PLACEHOLDER, Checker, build_facts
from app.data import Snapshot
from app.engine.facts import GROUPS
from app.engine.rulebook import Rulebook
from app.main import create_app
from app.settings import Settings
from app.world import compute

TODAY = dt.date(2026, 12, 1)
# Sure matches, a name with candidates only, nobody close, an occupied area, a territory, a
# contested fact that changes the answer (Niger's withdrawal), a state that withdrew.
QUESTIONS = [
    ("Putin", "Japan"),
    ("Путин", "Mongolia"),
    ("Putin", "Niger"),
    ("Putin", "Crimea"),
    ("Netanyahu", "Hungary"),
    ("Duterte", "Philippines"),
    ("al-Bashir", "South Africa"),
    ("Sokolov", "Japan"),
    ("Unknown Person", "France"),
    ("Saif al-Islam Gaddafi", "Netherlands"),
    ("Lvova-Belova", "Greenland"),
]


def reference(checker: Checker, person: str, country: str, day: dt.date, mode: str) -> bytes:
    """The per-call path: no cache at all."""
    verdict = checker.check(person, country, day, mode)  # type: ignore[arg-type]
    return (
        verdict.model_copy(update={"decision_id": DECISION_PLACEHOLDER}).model_dump_json().encode()
    )


def days_around(checker: Checker, person: str, country: str, rng: random.Random) -> list[dt.date]:
    """The day before, on and after every change date of the question, and random days."""
    days: set[dt.date] = set()
    for b in checker.question_bounds(person, country, None, None):
        days.update(b + dt.timedelta(days=k) for k in (-1, 0, 1))
    days.update(dt.date(1998, 1, 1) + dt.timedelta(days=rng.randrange(12000)) for _ in range(8))
    return sorted(d for d in days if dt.date(1998, 1, 1) <= d <= dt.date(2100, 12, 31))


def test_cached_answers_equal_the_per_call_path_across_change_dates(
    snapshot: Snapshot, rulebook: Rulebook
) -> None:
    cached = Checker(snapshot, rulebook)
    plain = Checker(snapshot, rulebook)
    cached.today = plain.today = lambda: TODAY
    rng = random.Random(11)
    compared = 0
    for person, country in QUESTIONS:
        days = days_around(plain, person, country, rng)
        for mode in ("visit", "transit", "overflight"):
            # Twice over, in a shuffled order: the first pass fills and confirms templates, the
            # second is answered from them (and from per-day answers where none was confirmed).
            for _ in range(2):
                rng.shuffle(days)
                for day in days:
                    found = cached.check_json(person, country, day, mode)  # type: ignore[arg-type]
                    assert found is not None
                    content, decision_id, _ = found
                    expected = reference(plain, person, country, day, mode)
                    assert content == expected.replace(
                        DECISION_PLACEHOLDER.encode(), decision_id.encode()
                    ), (person, country, day, mode)
                    compared += 1
    answers = cached.answers
    assert compared > 1000
    # Most of the second pass came from templates, not from a computation.
    assert answers.hits > compared // 3
    assert answers.confirmed > 100


def test_a_template_is_served_only_after_another_day_confirmed_it(
    snapshot: Snapshot, rulebook: Rulebook
) -> None:
    checker = Checker(snapshot, rulebook)
    checker.today = lambda: TODAY
    answers = checker.answers
    question = ("Putin", "Japan", "visit", None, None)
    first, second, third = dt.date(2024, 5, 1), dt.date(2024, 5, 2), dt.date(2024, 5, 3)
    answers.store(question, first, TODAY, reference(checker, "Putin", "Japan", first, "visit"))
    assert answers.lookup(question, second, TODAY) is None  # made, not yet confirmed
    answers.store(question, second, TODAY, reference(checker, "Putin", "Japan", second, "visit"))
    found = answers.lookup(question, third, TODAY)
    assert found is not None
    assert found == reference(checker, "Putin", "Japan", third, "visit")


def test_an_intervals_first_miss_confirms_its_template(
    snapshot: Snapshot, rulebook: Rulebook
) -> None:
    # The call that makes a template also computes a neighbouring day of the interval and
    # compares: the next question in the interval is a look-up, not a second computation.
    checker = Checker(snapshot, rulebook)
    checker.today = lambda: TODAY
    question = ("Putin", "Japan", "visit", None, None)
    checker.check_json("Putin", "Japan", dt.date(2024, 5, 1))
    assert checker.answers.confirmed == 1
    later = dt.date(2024, 8, 9)
    found = checker.answers.lookup(question, later, TODAY)
    assert found == reference(checker, "Putin", "Japan", later, "visit")
    # The last day of the datasets' range has no next day: the previous one confirms.
    last = dt.date(2100, 12, 31)
    assert checker.answers.partner(question, last) is None  # no template made from it yet
    checker.check_json("Putin", "Japan", last)
    assert checker.answers.lookup(question, dt.date(2100, 12, 30), TODAY) == reference(
        checker, "Putin", "Japan", dt.date(2100, 12, 30), "visit"
    )


def test_a_date_in_the_answer_equal_to_the_day_asked_is_not_templated(
    snapshot: Snapshot, rulebook: Rulebook
) -> None:
    # On the day Putin's warrant was issued, the answer holds that date twice: as the day asked
    # about and as the warrant's issue date. A template made from that day must not be served:
    # the next day, computed to confirm it, refutes it and makes the next candidate.
    checker = Checker(snapshot, rulebook)
    checker.today = lambda: TODAY
    issued = snapshot.warrants_of("putin-vladimir")[0].issued
    checker.check_json("Putin", "Japan", issued)
    assert checker.answers.refused == 1
    assert checker.answers.confirmed == 0
    question = ("Putin", "Japan", "visit", None, None)
    assert checker.answers.lookup(question, issued + dt.timedelta(days=20), TODAY) is None
    checker.check_json("Putin", "Japan", issued + dt.timedelta(days=20))  # confirms the next day's
    again = issued + dt.timedelta(days=30)
    found = checker.answers.lookup(question, again, TODAY)
    assert found == reference(checker, "Putin", "Japan", again, "visit")
    assert found is not None
    assert f'"issued":"{issued}"'.encode() in found


def test_freshness_follows_the_day_the_answer_is_given(
    snapshot: Snapshot, rulebook: Rulebook
) -> None:
    checker = Checker(snapshot, rulebook)
    checker.today = lambda: TODAY
    for day in (dt.date(2025, 3, 1), dt.date(2025, 3, 2)):
        checker.check_json("Putin", "Japan", day)
    later = dt.date(2027, 2, 1)
    checker.today = lambda: later
    found = checker.answers.lookup(
        ("Putin", "Japan", "visit", None, None), dt.date(2025, 3, 5), later
    )
    assert found is not None
    assert found == reference(checker, "Putin", "Japan", dt.date(2025, 3, 5), "visit")
    assert b"given 67 days after the datasets' as-of date" in found


def test_cached_world_views_equal_the_per_call_path_across_change_dates(
    snapshot: Snapshot, rulebook: Rulebook
) -> None:
    # The view is assembled from rows kept per country and interval: on either side of a
    # change date (some country's), it is still byte for byte the per-call view.
    checker = Checker(snapshot, rulebook)
    rng = random.Random(7)
    for person_id, mode in (("putin-vladimir", "visit"), ("netanyahu-benjamin", "overflight")):
        person = snapshot.people[person_id]
        bounds = [b for b in checker.world.bounds(person_id) if b.year >= 2000]
        for b in rng.sample(bounds, 12):
            for day in (b - dt.timedelta(days=1), b, b + dt.timedelta(days=1)):
                cached = checker.world.json(person, day, mode)  # type: ignore[arg-type]
                expected = compute(checker, person, day, mode).model_dump_json().encode()  # type: ignore[arg-type]
                assert cached == expected, (person_id, mode, day)


def tracked_within(*containers: object) -> int:
    """How many objects the garbage collector tracks among ``containers`` and what they hold."""
    seen: set[int] = set()
    todo = [c for c in containers if gc.is_tracked(c)]
    while todo:
        obj = todo.pop()
        if id(obj) not in seen:
            seen.add(id(obj))
            todo.extend(o for o in gc.get_referents(obj) if gc.is_tracked(o))
    return len(seen)


def test_the_caches_give_the_garbage_collector_nothing_to_walk(
    snapshot: Snapshot, rulebook: Rulebook
) -> None:
    # A full collection stops a server worker while it walks every object it tracks. Cached
    # rows kept as models, and dicts keyed by tuples, made that 50-120 ms under load, every
    # 10 s or so, in front of every request. However full the answer and world caches, they
    # hold the same few tracked objects: their own OrderedDicts, nothing per entry. One
    # collection must be enough: automatic ones are off while the caches fill, so what is
    # counted does not depend on when the collector happened to run (a key nesting a tuple
    # stayed tracked after one collection that reached it before its inner tuple).
    checker = Checker(snapshot, rulebook)
    checker.today = lambda: TODAY
    rng = random.Random(11)

    def caches() -> list[object]:
        a, w = checker.answers, checker.world
        return [a._templates, a._days, a._fresh, a._bounds, w._rows, w._row_exposures,
                w._views, w._bounds]  # fmt: skip

    def fill(checks: int, views: int) -> int:
        for _ in range(checks):
            person, country = rng.choice(QUESTIONS)
            day = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(9500))
            checker.check_json(person, country, day, rng.choice(["visit", "transit"]))
        for _ in range(views):
            person_id = rng.choice(["putin-vladimir", "netanyahu-benjamin", "kony-joseph"])
            day = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(9500))
            checker.world.json(snapshot.people[person_id], day, "visit")
        gc.collect()
        return tracked_within(*caches())

    gc.disable()
    try:
        few = fill(60, 6)
        many = fill(1200, 120)
    finally:
        gc.enable()
    answers, world = checker.answers, checker.world
    assert len(answers._templates) + len(answers._days) > 300 and len(answers._fresh[1]) > 1000
    assert len(world._rows) > 1000
    assert many == few <= 8
    # The largest (a row per country and interval, a freshness block per day) stay untracked
    # as they grow, between collections too: a tuple key would make the dict tracked again.
    for _ in range(20):
        day = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(9500))
        checker.world.json(snapshot.people["al-bashir-omar"], day, "overflight")
        checker.check_json("Putin", "Japan", day)
    assert not gc.is_tracked(world._rows) and not gc.is_tracked(world._row_exposures)
    assert not gc.is_tracked(answers._fresh[1])


def test_a_flat_fact_record_is_each_groups_model_dump(snapshot: Snapshot, checker: Checker) -> None:
    # flat() reads the groups' values directly (it runs on every evaluation); it must give
    # exactly what model_dump() gives, in the same order, on the shipped data.
    rng = random.Random(5)
    people = list(snapshot.people.values())
    countries = list(checker.countries.all())
    for _ in range(400):
        person = rng.choice(people)
        day = dt.date(1999, 1, 1) + dt.timedelta(days=rng.randrange(11000))
        for warrant in list(snapshot.warrants_of(person.id)) or [None]:
            facts = build_facts(snapshot, person, warrant, rng.choice(countries), day, "visit")
            dumped = {
                f"{group}.{name}": value
                for group in GROUPS
                for name, value in getattr(facts, group).model_dump().items()
            }
            assert list(facts.flat().items()) == list(dumped.items())


def test_the_decision_without_explanations_is_the_full_decision(
    snapshot: Snapshot, checker: Checker
) -> None:
    # Batches decide from facts built once for the three modes and render no explanation;
    # checks render every fired rule's. On the shipped data both say the same in every field
    # but the explanations, and the flat record is the fact record's own.
    rng = random.Random(8)
    people = [None, *snapshot.people.values()]
    countries = list(checker.countries.all())
    for _ in range(300):
        person, country = rng.choice(people), rng.choice(countries)
        day = dt.date(1999, 1, 1) + dt.timedelta(days=rng.randrange(11000))
        grounds = checker.grounds(person, country, day)
        for mode in ("visit", "transit", "overflight"):
            full = checker.evaluate(person, country, day, mode)
            quiet = checker.rulings(grounds, day, mode)
            assert len(full) == len(quiet)
            for e, (flat, ruling) in zip(full, quiet, strict=True):
                assert flat == e.facts.flat()
                decision = e.decision
                assert [f.placed for f in decision.fired] == list(ruling.fired)
                assert (ruling.exposure, ruling.obligation, ruling.notes, ruling.contested) == (
                    decision.exposure,
                    decision.obligation,
                    decision.notes,
                    decision.contested,
                )
                assert ruling.decided_by == decision.decided_by
                assert [f.explanation for f in decision.fired] == [
                    p.rule.render(flat) for p in ruling.fired
                ]


def _front(client: TestClient) -> CachedAnswers:
    """The app's CachedAnswers middleware (built with the app's middleware stack)."""
    layer: Any = client.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(layer, CachedAnswers):
        layer = layer.app
    return layer


def test_cached_answers_over_http_equal_the_routes(tmp_path: Path) -> None:
    # A question asked twice in an interval is then answered before routing (app/api/
    # fastpath.py); `explain=fired` (the default, spelled out) always goes through the route.
    # Both must send the same bytes and headers, and every decision must read back as sent.
    rng = random.Random(3)
    settings = Settings(data_dir=tmp_path, decision_log=True)
    with TestClient(create_app(settings)) as client:
        given: dict[str, bytes] = {}
        for person, country in QUESTIONS:
            mode = rng.choice(["visit", "transit", "overflight"])
            for _ in range(4):
                day = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(6000))
                params = {"person": person, "country": country, "date": str(day), "mode": mode}
                fast = client.get("/v1/exposure", params=params)
                routed = client.get("/v1/exposure", params={**params, "explain": "fired"})
                assert fast.status_code == routed.status_code == 200
                fast_id, routed_id = fast.headers["x-decision-id"], routed.headers["x-decision-id"]
                assert fast_id != routed_id
                assert fast.content.replace(fast_id.encode(), b"ID") == routed.content.replace(
                    routed_id.encode(), b"ID"
                )
                other = {"x-decision-id"}
                assert [(k, v) for k, v in fast.headers.items() if k not in other] == [
                    (k, v) for k, v in routed.headers.items() if k not in other
                ]
                given[fast_id] = fast.content
                given[routed_id] = routed.content
        assert _front(client).served >= 5
        wrong = [
            decision_id
            for decision_id, content in given.items()
            if client.get(f"/v1/decisions/{decision_id}").content != content
        ]
        assert wrong == []


def test_bad_input_to_a_cached_question_gets_the_routes_problem(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        for day in ("2024-05-01", "2024-05-02", "2024-05-03"):
            params = {"person": "Putin", "country": "JP", "date": day}
            assert client.get("/v1/exposure", params=params).is_success
        served = _front(client).served
        assert served >= 1
        for bad in (
            {"date": "2024-02-30"},
            {"date": "1990-01-01"},
            {"date": "2024-05-04", "mode": "swim"},
            {"date": "2024-05-04", "person": "Putin\x00"},
        ):
            params = {"person": "Putin", "country": "JP", **bad}
            response = client.get("/v1/exposure", params=params)
            assert response.status_code == 422, bad
            assert response.headers["content-type"].startswith("application/problem+json")
        assert _front(client).served == served


def test_the_fast_paths_query_reader_reads_as_starlette_does() -> None:
    # The fast path answers only questions the cache holds under the text the route validated;
    # its reader must split and decode exactly as parse_qsl does (Starlette's QueryParams).
    rng = random.Random(9)
    alphabet = ["a", "b", "=", "&", "+", "%", "2", "B", "%2B", "%E2%82%AC", "%zz", "%C3", ";", " "]
    texts = ["", "&", "==", "a", "a=", "=b", "person=Putin&person=X", "q=%D0%9F%D1%83+x"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(12))) for _ in range(5000)]
    for text in texts:
        assert query_pairs(text) == parse_qsl(text, keep_blank_values=True), text


def test_cached_world_views_over_http_equal_the_routes(tmp_path: Path) -> None:
    # A view asked again in an interval is answered before routing; a parameter the route does
    # not read (here `_`) sends it through the route, which ignores it: same bytes and headers.
    rng = random.Random(4)
    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        front = _front(client)
        for person in ("putin-vladimir", "netanyahu-benjamin", "duterte-rodrigo"):
            for mode in ("visit", "transit", "overflight"):
                day = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(8000))
                params = {"date": str(day), "mode": mode}
                path = f"/v1/people/{person}/world"
                routed = client.get(path, params={**params, "_": "1"})
                served = front.served
                fast = client.get(path, params=params)
                assert front.served == served + 1
                assert fast.status_code == routed.status_code == 200
                assert fast.content == routed.content
                assert fast.headers.items() == routed.headers.items()
                assert fast.json()["date"] == str(day)
        # What the route refuses still reaches it: an unknown id, a bad date or mode.
        served = front.served
        assert client.get("/v1/people/nobody/world").status_code == 404
        assert client.get("/v1/people/putin-vladimir/world?date=2024-13-01").status_code == 422
        assert client.get("/v1/people/putin-vladimir/world?mode=swim").status_code == 422
        assert front.served == served


def test_a_health_probe_is_answered_before_routing(tmp_path: Path) -> None:
    # The probe's bytes are the route's own; the service's headers (versions) still come on.
    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        front = _front(client)
        served = front.served
        response = client.get("/healthz")
        assert front.served == served + 1
        assert response.content == HEALTHY
        assert response.json() == {"status": "ok"}
        assert response.headers["content-type"] == "application/json"
        assert response.headers["x-rules-version"].startswith("sha256:")
