"""The shipped datasets: every invariant, and the Snapshot's date queries at their boundaries."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from app.data import Snapshot
from app.data.models import entry_into_force_for
from app.data.sources import source_url

from .conftest import d


def test_every_state_party_entry_into_force_follows_article_126(snapshot: Snapshot) -> None:
    wrong = [
        (s.name, s.deposit, s.entry_into_force)
        for s in snapshot.states.values()
        if s.instrument != "succession" and s.entry_into_force != entry_into_force_for(s.deposit)
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("deposit", "in_force"),
    [
        ("2002-04-11", "2002-07-01"),  # the 60th instrument: Art. 126(1)
        ("1999-02-01", "2002-07-01"),  # an early deposit waits for the Statute itself
        ("2023-11-14", "2024-02-01"),  # Armenia: 60th day 2024-01-13
        ("2024-10-25", "2025-01-01"),  # Ukraine: 60th day 2024-12-24
        ("2007-07-17", "2007-10-01"),  # Japan
        ("2002-05-02", "2002-08-01"),  # 60th day is 1 July: the month after is August
        ("2015-01-02", "2015-04-01"),  # Palestine
    ],
)
def test_article_126_rule(deposit: str, in_force: str) -> None:
    assert entry_into_force_for(d(deposit)) == d(in_force)


def test_every_withdrawal_takes_effect_a_year_after_notification(snapshot: Snapshot) -> None:
    for state in snapshot.states.values():
        for w in state.withdrawals:
            assert w.effective == w.notified.replace(year=w.notified.year + 1), state.name


def test_every_record_cites_a_source(snapshot: Snapshot) -> None:
    collections = [
        snapshot.states.values(),
        snapshot.territories.values(),
        snapshot.situations.values(),
        snapshot.declarations,
        snapshot.referrals,
        snapshot.people.values(),
        snapshot.warrants.values(),
        snapshot.summonses,
        snapshot.failures,
        snapshot.positions,
    ]
    for records in collections:
        for record in records:
            assert record.sources and all(source_url(s).strip() for s in record.sources)


def test_counts_match_the_public_record(snapshot: Snapshot) -> None:
    # 125 parties after Ukraine (2025-01-01); Hungary's withdrawal took effect on 2026-06-02.
    assert len(snapshot.parties_on(d("2025-01-01"))) == 125
    assert len(snapshot.parties_on(d("2026-06-02"))) == 124
    assert len(snapshot.states) >= 127  # every state that is or was a party
    assert len(snapshot.warrants) >= 60


def test_states_that_withdrew_stay_in_the_file(snapshot: Snapshot) -> None:
    assert {"BDI", "PHL", "HUN"} <= set(snapshot.states)


@pytest.mark.parametrize(
    ("iso3", "day_before", "day_of"),
    [("ARM", "2024-01-31", "2024-02-01"), ("UKR", "2024-12-31", "2025-01-01")],
)
def test_party_from_the_day_of_entry_into_force(
    snapshot: Snapshot, iso3: str, day_before: str, day_of: str
) -> None:
    assert not snapshot.membership(iso3, d(day_before)).state_party
    member = snapshot.membership(iso3, d(day_of))
    assert member.state_party and member.party_since == d(day_of)


@pytest.mark.parametrize(
    ("iso3", "notified", "effective"),
    [
        ("BDI", "2016-10-27", "2017-10-27"),
        ("PHL", "2018-03-17", "2019-03-17"),
        ("HUN", "2025-06-02", "2026-06-02"),
    ],
)
def test_withdrawal_pending_then_effective(
    snapshot: Snapshot, iso3: str, notified: str, effective: str
) -> None:
    before = snapshot.membership(iso3, d(notified) - dt.timedelta(days=1))
    assert before.state_party and not before.withdrawal_pending
    pending = snapshot.membership(iso3, d(notified))
    assert pending.state_party and pending.withdrawal_pending
    last_day = snapshot.membership(iso3, d(effective) - dt.timedelta(days=1))
    assert last_day.state_party, "a party until the withdrawal takes effect (Art. 127(1))"
    gone = snapshot.membership(iso3, d(effective))
    assert not gone.state_party and gone.former_party
    assert gone.withdrawal_effective == d(effective)


@pytest.mark.parametrize(
    ("iso3", "notified", "revoked"),
    [("ZAF", "2016-10-19", "2017-03-07"), ("GMB", "2016-11-10", "2017-02-10")],
)
def test_revoked_withdrawal_never_takes_effect(
    snapshot: Snapshot, iso3: str, notified: str, revoked: str
) -> None:
    assert snapshot.membership(iso3, d(notified)).withdrawal_pending
    after = snapshot.membership(iso3, d(revoked))
    assert after.state_party and not after.withdrawal_pending
    assert snapshot.membership(iso3, d("2024-01-01")).state_party


def test_a_date_after_the_as_of_date_sees_scheduled_withdrawals(snapshot: Snapshot) -> None:
    niger = snapshot.states["NER"]
    pending = [w for w in niger.withdrawals if w.revoked is None]
    if not pending:
        pytest.skip("no withdrawal pending in the shipped data")
    assert snapshot.membership("NER", snapshot.as_of).state_party
    assert not snapshot.membership("NER", pending[0].effective).state_party


def test_never_a_party(snapshot: Snapshot) -> None:
    for iso3 in ("USA", "RUS", "ISR", "CHN", "IND"):
        m = snapshot.membership(iso3, d("2025-06-01"))
        assert not m.state_party and not m.former_party


def test_territories_follow_their_sovereign_and_its_declarations(snapshot: Snapshot) -> None:
    assert snapshot.membership("GRL", d("2025-01-01")).state_party  # extended 2004-10-01
    tokelau = snapshot.membership("TKL", d("2025-01-01"))
    assert not tokelau.state_party and tokelau.territory_excluded
    hong_kong = snapshot.membership("HKG", d("2025-01-01"))
    assert not hong_kong.state_party and not hong_kong.territory_excluded
    assert snapshot.membership("ABW", d("2025-01-01")).state_party


def test_greenland_coverage_boundary(snapshot: Snapshot) -> None:
    start = snapshot.territories["GRL"].covered_from
    assert start is not None
    assert not snapshot.membership("GRL", start - dt.timedelta(days=1)).state_party
    assert snapshot.membership("GRL", start).state_party


def test_warrant_outstanding_from_the_day_of_issue(snapshot: Snapshot) -> None:
    assert snapshot.outstanding_warrants("putin-vladimir", d("2023-03-16")) == []
    [warrant] = snapshot.outstanding_warrants("putin-vladimir", d("2023-03-17"))
    assert warrant.id == "putin-vladimir-2023"


def test_sealed_warrant_counts_from_issue_not_publication(snapshot: Snapshot) -> None:
    sealed = [w for w in snapshot.warrants.values() if w.made_public and w.made_public > w.issued]
    assert sealed, "the data has warrants issued under seal"
    w = sealed[0]
    assert w.outstanding_on(w.issued)


def test_executed_warrant_is_not_outstanding(snapshot: Snapshot) -> None:
    duterte = snapshot.warrants["duterte-rodrigo-2025"]
    assert duterte.outstanding_on(d("2025-03-10"))
    executed = next(h.date for h in duterte.history if h.status == "executed")
    assert not duterte.outstanding_on(executed)
    assert not duterte.outstanding_on(d("2026-01-01"))


def test_terminated_warrant_is_not_outstanding(snapshot: Snapshot) -> None:
    deif = snapshot.warrants["deif-mohammed-2024"]
    ended = deif.history[-1]
    assert ended.status in ("terminated", "withdrawn")
    assert deif.outstanding_on(ended.date - dt.timedelta(days=1))
    assert not deif.outstanding_on(ended.date)


def test_summonses_are_not_warrants(snapshot: Snapshot) -> None:
    summoned = {s.person for s in snapshot.summonses}
    assert "abu-garda-bahar-idriss" in summoned
    assert snapshot.warrants_of("abu-garda-bahar-idriss") == ()


def test_declarations_and_referrals_bind_by_situation_and_date(snapshot: Snapshot) -> None:
    assert snapshot.declarations_for("UKR", "ukraine", d("2016-01-01"))
    assert not snapshot.declarations_for("UKR", "ukraine", d("2014-01-01"))
    assert not snapshot.declarations_for("UKR", "darfur", d("2016-01-01"))
    assert not snapshot.declarations_for("PSE", "palestine", d("2010-01-01")), "2009: not accepted"
    assert snapshot.referrals_binding("SDN", "darfur", d("2005-03-31"))
    assert not snapshot.referrals_binding("SDN", "darfur", d("2005-03-30"))
    assert not snapshot.referrals_binding("TCD", "darfur", d("2010-01-01"))
    assert snapshot.referrals_binding("LBY", "libya", d("2011-02-26"))


def test_compliance_record_counts_only_what_happened_before(snapshot: Snapshot) -> None:
    assert snapshot.failures_before("MNG", "putin-vladimir", d("2024-09-03")) == []
    assert snapshot.failures_before("MNG", "putin-vladimir", d("2024-09-04"))
    assert snapshot.findings_before("MNG", d("2024-10-23")) == []
    assert snapshot.findings_before("MNG", d("2024-10-24"))


def test_change_dates_cover_every_kind_of_change(snapshot: Snapshot) -> None:
    dates = set(snapshot.change_dates("putin-vladimir", "UKR"))
    assert d("2025-01-01") in dates  # Ukraine's entry into force
    assert d("2023-03-17") in dates  # the warrant's issue
    assert d("2015-09-08") in dates  # Ukraine's 2015 art. 12(3) declaration
    assert d("2017-10-27") in set(snapshot.change_dates(None, "BDI"))
    assert d("2024-09-04") in set(snapshot.change_dates("putin-vladimir", "MNG"))


def test_snapshot_is_immutable(snapshot: Snapshot) -> None:
    with pytest.raises(TypeError):
        snapshot.states["XXX"] = snapshot.states["JPN"]  # type: ignore[index]
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen error
        snapshot.states["JPN"].deposit = d("2000-01-01")  # type: ignore[misc]


def test_version_is_a_content_hash(snapshot: Snapshot) -> None:
    assert snapshot.version.startswith("sha256:") and len(snapshot.version) == 71


def test_facts_only_change_on_change_dates(checker: Any) -> None:
    """Between two consecutive boundaries every day gives the same tested facts: what makes
    splitting a stay at the boundaries exact, and the batch's interval cache correct."""
    from app.itinerary import boundaries

    people = [None, *checker.snapshot.people]
    countries = [
        "JPN",
        "MNG",
        "HUN",
        "UKR",
        "SDN",
        "PHL",
        "BDI",
        "FRA",
        "DEU",
        "USA",
        "TJK",
        "GRL",
        "ITA",
        "LBY",
    ]
    rng = random.Random(11)
    checked = 0
    for person_id in people:
        person = checker.snapshot.people.get(person_id) if person_id else None
        for iso3 in rng.sample(countries, 5):
            country = checker.countries.get(iso3)
            cuts = boundaries(checker, person_id, iso3)
            for _ in range(4):
                day = dt.date(2002, 1, 1) + dt.timedelta(days=rng.randint(0, 9500))
                start = max((c for c in cuts if c <= day), default=dt.date(1998, 1, 1))
                if start == dt.date(1998, 1, 1):
                    continue
                for mode in ("visit", "overflight"):
                    a = [
                        checker.rulebook.key(e.facts)
                        for e in checker.evaluate(person, country, day, mode)
                    ]
                    b = [
                        checker.rulebook.key(e.facts)
                        for e in checker.evaluate(person, country, start, mode)
                    ]
                    assert a == b, (person_id, iso3, day, start)
                    checked += 1
    assert checked > 300
