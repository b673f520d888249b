"""Pydantic models of the dataset records (datasets/*.yaml); field docs are the data dictionary."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints, model_validator

# YAML gives real dates for unquoted ISO dates; strictness refuses numbers and free strings, so a
# typo such as `2024-13-01` or `20240201` is an error instead of a silently coerced value.
Date = Annotated[dt.date, Strict()]
Iso3 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Iso2 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
RecordId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
#: A GeoNames first-level division: country code, a dot, the division's code ('UA.11').
GeonamesAdmin1 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}\.[0-9A-Z]{1,20}$")]
#: An airport's IATA (3 letters) or ICAO (4 letters) code.
AirportCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3,4}$")]


class SourceOverride(BaseModel):
    """A source whose tier its domain alone does not decide (a government page on a generic
    host, a citation in words); the reviewer of the change checks the tier given."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: NonEmpty = Field(description="The address, or a citation in words.")
    tier: Literal["official", "press", "secondary"] = Field(description="The source's tier.")


Source = NonEmpty | SourceOverride
Sources = Annotated[list[Source], Field(min_length=1)]


class Confidence(StrEnum):
    """How well a record is established."""

    high = "high"
    medium = "medium"
    low = "low"


CONFIDENCE_ORDER = {Confidence.low: 0, Confidence.medium: 1, Confidence.high: 2}


class Alternative(BaseModel):
    """Another value for one of a record's fields that some sources give (a contested fact).

    The rules see the recorded value; answers that depend on the record are also computed with
    this value applied, and shown beside the recorded answer.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: NonEmpty = Field(
        description="The field, as a dotted path within the record (`issued`, "
        "`withdrawals`, `died`, `history`).",
        examples=["issued"],
    )
    value: Any = Field(description="The other value, in the field's own shape.")
    sources: Sources = Field(description="Sources that give the other value.")
    reason: NonEmpty = Field(description="One line: why the other value is not recorded.")


class Record(BaseModel):
    """Fields every record carries."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: Sources = Field(description="Addresses or citations a reviewer can open.")
    confidence: Confidence = Field(description="high, medium or low.")
    notes: str | None = Field(default=None, description="Conflicts, how decided, caveats.")
    alternatives: list[Alternative] = Field(
        default_factory=list,
        description="Other values some sources give for a field (contested facts).",
    )


# --- States Parties -------------------------------------------------------------------------


def entry_into_force_for(deposit: dt.date) -> dt.date:
    """Art. 126: the first day of the month after the 60th day following deposit.

    The Statute itself entered into force on 2002-07-01 (Art. 126(1)); no state is a party
    before that day, however early it deposited.
    """
    sixtieth = deposit + dt.timedelta(days=60)
    year, month = (
        (sixtieth.year + 1, 1) if sixtieth.month == 12 else (sixtieth.year, sixtieth.month + 1)
    )
    return max(dt.date(year, month, 1), dt.date(2002, 7, 1))


class Withdrawal(BaseModel):
    """A withdrawal notification deposited with the UN Secretary-General (Art. 127)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    notified: Date = Field(description="Date the Secretary-General received the notification.")
    effective: Date = Field(description="Art. 127(1): one year after notification, or later.")
    revoked: Date | None = Field(default=None, description="Date a revocation was deposited.")
    depositary_notification: str | None = Field(default=None, description="C.N. reference.")
    sources: Sources
    notes: str | None = None

    @model_validator(mode="after")
    def _dates_ordered(self) -> Withdrawal:
        if self.effective < self.notified:
            raise ValueError("withdrawal 'effective' is before 'notified'")
        if self.revoked is not None and not (self.notified <= self.revoked < self.effective):
            raise ValueError("'revoked' must fall between 'notified' and 'effective'")
        try:
            one_year = self.notified.replace(year=self.notified.year + 1)
        except ValueError:  # 29 February
            one_year = dt.date(self.notified.year + 1, 3, 1)
        if self.effective < one_year:
            raise ValueError(
                f"Art. 127(1): a withdrawal takes effect one year after notification "
                f"({one_year}), not {self.effective}"
            )
        return self

    @property
    def takes_effect(self) -> bool:
        """A withdrawal that was not revoked takes effect on `effective`."""
        return self.revoked is None


class StateParty(Record):
    """A state that is or was a party to the Rome Statute."""

    iso3: Iso3
    name: NonEmpty
    signature: Date | None = Field(default=None, description="Date of signature, if signed.")
    instrument: Literal["ratification", "accession", "acceptance", "approval", "succession"]
    deposit: Date = Field(description="Deposit of the instrument with the Secretary-General.")
    entry_into_force: Date = Field(description="Art. 126: when the Statute binds the state.")
    withdrawals: list[Withdrawal] = Field(default_factory=list)
    territorial: str | None = Field(default=None, description="Territorial declaration, words.")

    @model_validator(mode="after")
    def _dates_ordered(self) -> StateParty:
        if self.signature is not None and self.signature > self.deposit:
            raise ValueError("'signature' is after 'deposit'")
        # A successor state is bound from its independence, before its notice (Montenegro).
        if self.entry_into_force < self.deposit and self.instrument != "succession":
            raise ValueError("'entry_into_force' is before 'deposit'")
        for w in self.withdrawals:
            if w.notified < self.deposit:
                raise ValueError("a withdrawal is notified before the instrument's deposit")
        return self

    @property
    def art126_entry_into_force(self) -> dt.date | None:
        """The entry into force that Art. 126 gives for the deposit (None for a succession)."""
        return None if self.instrument == "succession" else entry_into_force_for(self.deposit)


class Territory(Record):
    """A place with its own ISO code that belongs to another state."""

    iso3: Iso3
    iso2: Iso2
    name: NonEmpty
    sovereign: Iso3 | None = Field(description="The state responsible for it; null if disputed.")
    covered_from: Date | None = Field(
        default=None, description="From when the sovereign's ratification covers it; null: never."
    )
    covered_until: Date | None = Field(default=None, description="When coverage ended, if it did.")

    @model_validator(mode="after")
    def _dates_ordered(self) -> Territory:
        if self.covered_until is not None and (
            self.covered_from is None or self.covered_until <= self.covered_from
        ):
            raise ValueError("'covered_until' needs an earlier 'covered_from'")
        return self


# --- Situations, declarations, referrals ------------------------------------------------------


class Situation(Record):
    """A situation under investigation by the Court."""

    id: RecordId
    name: NonEmpty
    country: Iso3 | None = Field(description="Where the situation is; null if several.")
    icc_number: NonEmpty
    trigger: Literal["state_referral", "unsc_referral", "proprio_motu", "declaration_12_3"]
    opened: Date | None = Field(default=None, description="Investigation opened.")
    preliminary_examination: Date | None = Field(
        default=None,
        description="The Prosecutor's preliminary examination opened, where it matters (a state "
        "that withdrew in between: art. 127(2), 'any matter already under consideration').",
        examples=["2018-02-08"],
    )
    referred_by: list[Iso3] = Field(
        default_factory=list,
        description="States that referred the situation (art. 14); the situation's own state "
        "among them is a self-referral. Empty when not a state referral, or not recorded.",
        examples=[["UGA"]],
    )


class Declaration(Record):
    """An Article 12(3) declaration accepting the Court's jurisdiction."""

    id: RecordId
    state: Iso3
    lodged: Date
    situation: RecordId | None = Field(description="Situation it concerns; null if none opened.")
    period_from: Date | None = None
    period_to: Date | None = None
    accepted: bool | None = Field(
        description="False where the Court or Prosecutor found it invalid; null where never "
        "ruled on (counted as not accepted)."
    )


class Referral(Record):
    """A UN Security Council referral (Art. 13(b))."""

    id: RecordId
    situation: RecordId
    resolution: NonEmpty
    adopted: Date
    binds: list[Iso3] = Field(description="States the resolution obliges to cooperate fully.")
    urges_all_states: bool = Field(description="Whether it urges (without obliging) the rest.")


# --- People, warrants, summonses --------------------------------------------------------------


_SCRIPT = re.compile(r"^[A-Z][a-z]{3}$")


class Alias(BaseModel):
    """A written form of a person's name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: NonEmpty = Field(
        description="The name as written in that script.", examples=["Владимир Путин"]
    )
    script: Annotated[str, StringConstraints(pattern=_SCRIPT.pattern)] = Field(
        description="ISO 15924 script code: Latn, Cyrl, Arab, Hebr, Mymr ..."
    )
    lang: str | None = Field(default=None, description="BCP 47 language tag, if known.")


class Role(BaseModel):
    """An office a person held, with dates (e.g. sitting head of state)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: NonEmpty = Field(description="head_of_state, head_of_government, ... or free text.")
    country: Iso3 | None = Field(
        default=None, description="State of the office (ISO 3166-1 alpha-3).", examples=["RUS"]
    )
    title: str | None = Field(
        default=None,
        description="The office's title, in words.",
        examples=["President of the Russian Federation"],
    )
    from_: Date | None = Field(
        default=None,
        alias="from",
        description="First day in office (inclusive); null: unknown, counted as open.",
        examples=["2012-05-07"],
    )
    to: Date | None = Field(
        default=None,
        description="Last day in office (inclusive); null while still held.",
        examples=[None],
    )
    recognised: bool = Field(
        default=True,
        description="False where most states do not recognise the government the office "
        "belongs to (the Taliban's 'Islamic Emirate'): an immunity claimed for it is weaker still.",
        examples=[True],
    )

    def held_on(self, day: dt.date) -> bool:
        """Whether the role was held on ``day`` (both ends inclusive; open ends unbounded)."""
        return (self.from_ is None or self.from_ <= day) and (self.to is None or day <= self.to)


class Person(Record):
    """A person named in a public ICC arrest warrant, summons or warrant application."""

    id: RecordId = Field(
        description="Stable kebab-case id; never reused or renamed.", examples=["putin-vladimir"]
    )
    name: NonEmpty = Field(
        description="Full name as the Court writes it.", examples=["Vladimir Vladimirovich Putin"]
    )
    aliases: list[Alias] = Field(
        default_factory=list,
        description="Every form a user may type, in every script it is commonly written in.",
        examples=[[{"name": "Владимир Путин", "script": "Cyrl", "lang": "ru"}]],
    )
    birth_date: Date | None = Field(
        default=None, description="Date of birth; null if not public.", examples=["1952-10-07"]
    )
    died: Date | None = Field(
        default=None, description="Date of death, where reported (a warrant may outlive it)."
    )
    nationality: list[Iso3] = Field(
        default_factory=list,
        description="Nationalities (ISO 3166-1 alpha-3); empty if not public.",
        examples=[["RUS"]],
    )
    roles: list[Role] = Field(
        default_factory=list,
        description="Offices held, with dates (head of state or government, foreign minister ...).",
        examples=[
            [
                {
                    "role": "head_of_state",
                    "country": "RUS",
                    "title": "President of the Russian Federation",
                    "from": "2012-05-07",
                    "to": None,
                }
            ]
        ],
    )


WarrantStatus = Literal["issued", "executed", "withdrawn", "terminated", "vacated"]


class ArrestRequest(BaseModel):
    """A request for arrest and surrender the Court sent to named states (art. 89(1), 91).

    Public only where the Court or a recipient said so; while a warrant is sealed, the duty to
    arrest arises for the states that received the request, so the known ones are recorded.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: Date = Field(
        description="Date the request was sent (or received).", examples=["2025-01-18"]
    )
    states: list[Iso3] = Field(
        min_length=1,
        description="States named in the public record as recipients (ISO alpha-3).",
        examples=[["ITA"]],
    )
    count: int | None = Field(
        default=None,
        ge=1,
        description="How many states the Court says it sent the request to, where it said so; "
        "may exceed the states named.",
        examples=[6],
    )
    sources: Sources = Field(
        description="Where the recipients are named (the Court, a recipient's government, press).",
        examples=[["https://www.icc-cpi.int/news/..."]],
    )
    notes: str | None = Field(
        default=None,
        description="What the sources say and do not say (e.g. recipients not named).",
        examples=["The Court says six States were asked; only Italy is named."],
    )


class StatusEntry(BaseModel):
    """One change in a warrant's status."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: Date = Field(description="Date the status took effect.", examples=["2023-03-17"])
    status: WarrantStatus = Field(
        description="issued (active), executed (arrested on it), withdrawn, terminated or vacated.",
        examples=["issued"],
    )
    note: str | None = Field(
        default=None,
        description="Details in words, e.g. the day of transfer to the Court's custody.",
        examples=["arrested in Kinshasa and surrendered by the DRC"],
    )
    sources: list[Source] = Field(
        default_factory=list,
        description="Sources of this change, where the warrant's own do not cover it.",
        examples=[["https://www.icc-cpi.int/situations/ukraine"]],
    )


class Warrant(Record):
    """A public ICC arrest warrant."""

    id: RecordId = Field(description="Stable warrant id.", examples=["putin-vladimir-2023"])
    person: RecordId = Field(description="Person id (people.yaml).", examples=["putin-vladimir"])
    situation: RecordId = Field(description="Situation id (situations.yaml).", examples=["ukraine"])
    case: NonEmpty = Field(
        description="Case number, or the situation number when no case number is public.",
        examples=["ICC-01/22"],
    )
    article: Literal["58", "70"] = Field(
        default="58",
        description="58 (core crimes) or 70 (offences against the administration of justice).",
        examples=["58"],
    )
    issued: Date = Field(
        description="Date of issue; a warrant counts from it, also while sealed.",
        examples=["2023-03-17"],
    )
    made_public: Date | None = Field(description="When unsealed or announced; null if unknown.")
    charges: list[NonEmpty] = Field(
        default_factory=list,
        description="Charges in words, with the Statute article.",
        examples=[["unlawful deportation of population (children) (art. 8(2)(a)(vii))"]],
    )
    history: list[StatusEntry] = Field(
        min_length=1,
        description="Status changes in date order; the first is 'issued' on the issue date.",
        examples=[[{"date": "2023-03-17", "status": "issued"}]],
    )
    requests: list[ArrestRequest] = Field(
        default_factory=list,
        description="Known requests for arrest and surrender and their recipients (public ones).",
        examples=[[{"date": "2025-01-18", "states": ["ITA"], "count": 6, "sources": ["..."]}]],
    )

    def requested_from(self, iso3: str, day: dt.date) -> bool:
        """Whether ``iso3`` is a known recipient of a request for this warrant by ``day``."""
        return any(iso3 in r.states and r.date <= day for r in self.requests)

    @model_validator(mode="after")
    def _history_consistent(self) -> Warrant:
        first = self.history[0]
        if first.status != "issued" or first.date != self.issued:
            raise ValueError("history must start with {status: issued} on the 'issued' date")
        dates = [h.date for h in self.history]
        if dates != sorted(dates):
            raise ValueError("history entries must be in date order")
        if self.made_public is not None and self.made_public < self.issued:
            raise ValueError("'made_public' is before 'issued'")
        if any(r.date < self.issued for r in self.requests):
            raise ValueError("a request for arrest is dated before the warrant's issue")
        return self

    def status_on(self, day: dt.date) -> WarrantStatus | None:
        """The warrant's status on ``day``; None before it was issued."""
        status: WarrantStatus | None = None
        for entry in self.history:
            if entry.date > day:
                break
            status = entry.status
        return status

    def outstanding_on(self, day: dt.date) -> bool:
        """Issued and not yet executed, withdrawn, terminated or vacated (sealed counts too)."""
        return self.status_on(day) == "issued"


class Summons(Record):
    """A summons to appear (Art. 58(7)): not a warrant, kept apart."""

    id: RecordId = Field(description="Stable summons id.", examples=["abu-garda-bahar-idriss-2009"])
    person: RecordId = Field(
        description="Person id (people.yaml).", examples=["abu-garda-bahar-idriss"]
    )
    situation: RecordId = Field(description="Situation id (situations.yaml).", examples=["darfur"])
    case: NonEmpty = Field(description="Case number.", examples=["ICC-02/05-02/09"])
    issued: Date = Field(description="Date of issue.", examples=["2009-05-07"])
    appeared: Date | None = Field(
        default=None,
        description="Date the person first appeared before the Court; null if not (yet).",
        examples=["2009-05-18"],
    )


ApplicationOutcome = Literal["granted", "rejected", "withdrawn", "pending"]


class Application(Record):
    """A public application by the Prosecutor for a warrant of arrest (Art. 58(1)): not a
    warrant. Since 2025-11-10 applications are kept secret by default (regulation 23 ter), so
    only those announced by the Office of the Prosecutor are known."""

    id: RecordId = Field(
        description="Stable application id.", examples=["min-aung-hlaing-2024-application"]
    )
    person: RecordId = Field(
        description="Person id (people.yaml) the application names.", examples=["min-aung-hlaing"]
    )
    situation: RecordId = Field(
        description="Situation id (situations.yaml).", examples=["bangladesh-myanmar"]
    )
    filed: Date = Field(
        description="Date the application was filed with the Pre-Trial Chamber (as the "
        "Prosecutor announced it).",
        examples=["2024-11-27"],
    )
    decided: Date | None = Field(
        default=None,
        description="Date the Chamber decided it, or the date the Prosecutor withdrew it; null "
        "while pending.",
        examples=[None],
    )
    outcome: ApplicationOutcome = Field(
        description="granted (a warrant was issued: see `warrant`), rejected, withdrawn (by the "
        "Prosecutor, e.g. on the person's death) or pending (no public decision).",
        examples=["pending"],
    )
    warrant: RecordId | None = Field(
        default=None,
        description="The warrant (warrants.yaml) issued on it, when granted.",
        examples=[None],
    )
    summary: NonEmpty = Field(
        description="What was applied for, in one sentence.",
        examples=["Crimes against humanity of deportation and persecution of the Rohingya."],
    )

    def pending_on(self, day: dt.date) -> bool:
        """Filed on or before ``day`` and not yet decided or withdrawn by then."""
        return self.filed <= day and (self.decided is None or day < self.decided)


# --- Compliance -------------------------------------------------------------------------------


class Failure(Record):
    """A state that was obliged to arrest a person on its territory and did not."""

    id: RecordId
    state: Iso3
    person: RecordId
    warrant: RecordId
    visit_from: Date | None = Field(
        default=None, description="First day on its territory; null: there all along (own state)."
    )
    visit_to: Date | None = None
    finding: Date | None = Field(default=None, description="Judicial finding of non-compliance.")
    finding_ref: str | None = None
    referred_to: list[Literal["asp", "unsc"]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _dates_ordered(self) -> Failure:
        if self.visit_from is None:
            if self.finding is None or self.visit_to is not None:
                raise ValueError("a failure without 'visit_from' needs a 'finding' date")
            return self
        if self.visit_to is not None and self.visit_to < self.visit_from:
            raise ValueError("'visit_to' is before 'visit_from'")
        if self.finding is not None and self.finding < self.visit_from:
            raise ValueError("'finding' is before the visit")
        return self

    @property
    def complete_on(self) -> dt.date:
        """The day the failure is on record: the visit's last day, else the finding."""
        day = self.visit_to or self.visit_from or self.finding
        assert day is not None  # validated above
        return day


class Position(Record):
    """A state's stated position on executing a warrant."""

    id: RecordId
    state: Iso3
    person: RecordId
    date: Date
    position: Literal["immunity_claimed", "will_arrest", "will_not_arrest", "other"]
    summary: NonEmpty


# --- Country aliases --------------------------------------------------------------------------


class ExtraCountry(BaseModel):
    """A country or entity pycountry does not have (Kosovo)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    iso3: Iso3
    iso2: Iso2
    name: NonEmpty
    sources: Sources
    confidence: Confidence = Confidence.high
    notes: str | None = None


# --- Occupied and de facto areas ---------------------------------------------------------------


class Area(Record):
    """A place users type that has no ISO code of its own and that its de jure state does not
    control (occupied, or held by a de facto authority): Crimea, Gaza, Transnistria ..."""

    id: RecordId = Field(description="Stable area id.", examples=["crimea"])
    name: NonEmpty = Field(description="Name shown in answers.", examples=["Crimea"])
    names: list[NonEmpty] = Field(
        default_factory=list,
        description="Other names users type (any script); matched like country aliases.",
        examples=[["Krym", "Крым"]],
    )
    state: Iso3 = Field(description="The de jure state (ISO alpha-3).", examples=["UKR"])
    controlled_by: NonEmpty = Field(
        description="Who exercises control in fact, in words.", examples=["Russia (occupation)"]
    )
    since: Date = Field(description="First day of that control.", examples=["2014-02-27"])
    until: Date | None = Field(
        default=None,
        description="First day the de jure state controlled it again; null while it lasts.",
        examples=[None],
    )
    geonames_admin1: list[GeonamesAdmin1] = Field(
        default_factory=list,
        description=(
            "GeoNames first-level divisions ('country.code') that lie wholly in the area: every "
            "city in them is in the area. Only whole divisions; a split one (Donetsk Oblast, "
            "Nicosia district) is left out and its cities are matched by name."
        ),
        examples=[["UA.11"]],
    )
    airports: list[AirportCode] = Field(
        default_factory=list,
        description=(
            "IATA or ICAO codes of airports in the area that neither their city nor their "
            "subdivision places there (Ercan, ECN: airportsdata's city is Nicosia, which the "
            "Green Line splits)."
        ),
        examples=[["ECN", "LCEN"]],
    )

    @model_validator(mode="after")
    def _dates_ordered(self) -> Area:
        if self.until is not None and self.until <= self.since:
            raise ValueError("'until' must be after 'since'")
        for field_name in ("geonames_admin1", "airports"):
            values: list[str] = getattr(self, field_name)
            if len(set(values)) != len(values):
                raise ValueError(f"'{field_name}' lists a code twice")
        return self

    def controlled_on(self, day: dt.date) -> bool:
        """Whether another party controls the area on ``day``."""
        return self.since <= day and (self.until is None or day < self.until)


# --- Files ------------------------------------------------------------------------------------


class StatesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    as_of: Date
    states: list[StateParty]


class TerritoriesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    territories: list[Territory]


class SituationsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    situations: list[Situation]


class DeclarationsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    declarations: list[Declaration]


class ReferralsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    referrals: list[Referral]


class PeopleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    people: list[Person]


class WarrantsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    warrants: list[Warrant]


class SummonsesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    summonses: list[Summons]


class ApplicationsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    applications: list[Application]


class ComplianceFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    failures: list[Failure]
    positions: list[Position] = Field(default_factory=list)


class AreasFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    areas: list[Area]


class CountryAliasesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: Sources
    aliases: dict[NonEmpty, Iso3]
    ambiguous: dict[NonEmpty, Annotated[list[Iso3], Field(min_length=2)]]
    extra_countries: list[ExtraCountry] = Field(default_factory=list)
    display_names: dict[Iso3, NonEmpty] = Field(
        default_factory=dict,
        description="Names shown in answers where ISO's form reads badly ('Congo, The ...').",
    )


class SourceTiersFile(BaseModel):
    """The reviewed registry of source domains by tier (datasets/source_tiers.yaml)."""

    model_config = ConfigDict(extra="forbid")
    official: list[NonEmpty]
    press: list[NonEmpty]
    secondary: list[NonEmpty]
    refused: dict[NonEmpty, NonEmpty]
    refused_prefixes: dict[NonEmpty, NonEmpty] = Field(default_factory=dict)
    tracking_parameters: list[NonEmpty]
    official_citations: list[NonEmpty] = Field(default_factory=list)


#: Each dataset file and the model of its contents, in load order.
FILES: dict[str, type[BaseModel]] = {
    "states_parties.yaml": StatesFile,
    "territories.yaml": TerritoriesFile,
    "situations.yaml": SituationsFile,
    "declarations_12_3.yaml": DeclarationsFile,
    "referrals.yaml": ReferralsFile,
    "people.yaml": PeopleFile,
    "warrants.yaml": WarrantsFile,
    "summonses.yaml": SummonsesFile,
    "applications.yaml": ApplicationsFile,
    "compliance.yaml": ComplianceFile,
    "country_aliases.yaml": CountryAliasesFile,
    "source_tiers.yaml": SourceTiersFile,
    "areas.yaml": AreasFile,
}
