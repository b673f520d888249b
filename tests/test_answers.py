"""The answer cache (app/answers.py): an answer served from an interval's template is byte for
byte the answer the per-call path computes, on every day, across every change date."""

from __future__ import annotations

import datetime as dt
import random

from app.checks import DECISION_PLACEHOLDER, Checker, build_facts
from app.data import Snapshot
from app.engine.facts import GROUPS
from app.engine.rulebook import Rulebook
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
    question = ("Putin", "Japan", "visit", None, None)
    first, second = dt.date(2024, 5, 1), dt.date(2024, 5, 2)
    checker.check_json("Putin", "Japan", first)
    assert checker.answers.lookup(question, second, TODAY) is None  # made, not yet confirmed
    checker.check_json("Putin", "Japan", second)
    third = checker.answers.lookup(question, dt.date(2024, 5, 3), TODAY)
    assert third is not None
    assert third == reference(checker, "Putin", "Japan", dt.date(2024, 5, 3), "visit")


def test_a_date_in_the_answer_equal_to_the_day_asked_is_not_templated(
    snapshot: Snapshot, rulebook: Rulebook
) -> None:
    # On the day Putin's warrant was issued, the answer holds that date twice: as the day asked
    # about and as the warrant's issue date. A template made from that day must not be served.
    checker = Checker(snapshot, rulebook)
    checker.today = lambda: TODAY
    issued = snapshot.warrants_of("putin-vladimir")[0].issued
    checker.check_json("Putin", "Japan", issued)
    later = issued + dt.timedelta(days=10)
    checker.check_json("Putin", "Japan", later)  # refutes the template made on the issue day
    assert checker.answers.refused == 1
    question = ("Putin", "Japan", "visit", None, None)
    assert checker.answers.lookup(question, issued + dt.timedelta(days=20), TODAY) is None
    checker.check_json("Putin", "Japan", issued + dt.timedelta(days=20))  # confirms `later`'s
    again = issued + dt.timedelta(days=30)
    found = checker.answers.lookup(question, again, TODAY)
    assert found == reference(checker, "Putin", "Japan", again, "visit")
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
