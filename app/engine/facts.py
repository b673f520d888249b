"""The fact record: what rules see, one per (person, warrant, country, date, mode).

Field names here are the rule language's whole vocabulary (``country.state_party``); their
descriptions are the documentation rule authors read, and the JSON Schema generated from this
model (rules/schema/facts.schema.json) is what editors complete against.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, model_validator

Mode = Literal["visit", "transit", "overflight"]
WarrantState = Literal[
    "none", "not_yet_issued", "active", "executed", "withdrawn", "terminated", "vacated"
]
PositionKind = Literal["none", "immunity_claimed", "will_arrest", "will_not_arrest", "other"]


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QueryFacts(_Group):
    date: dt.date = Field(description="The date asked about.", examples=["2026-12-01"])
    mode: Mode = Field(
        description="visit (on the territory), transit (landing, airport transit) or "
        "overflight (in the airspace without landing).",
        examples=["visit"],
    )
    after_as_of: bool = Field(
        default=False,
        description="The date is after the datasets' as-of date: only scheduled changes known.",
    )


class PersonFacts(_Group):
    id: str = Field(
        description="Person id; empty when no person matched.", examples=["putin-vladimir"]
    )
    name: str = Field(description="Full name.", examples=["Vladimir Vladimirovich Putin"])
    nationality: str = Field(
        description="First nationality (ISO alpha-3), or empty.", examples=["RUS"]
    )
    sitting_head_of_state: bool = Field(description="Head of state on the date.", examples=[True])
    deceased: bool = Field(
        default=False, description="Reported dead on or before the date.", examples=[False]
    )
    troika: bool = Field(
        description="Head of state, head of government or foreign minister on the date (the "
        "offices with personal immunity in customary international law).",
        examples=[True],
    )
    application_pending: bool = Field(
        default=False,
        description="The Prosecutor has publicly applied for a warrant of arrest against the "
        "person (applications.yaml) and no decision on it is public by the date.",
        examples=[False],
    )
    application_filed: dt.date | None = Field(
        default=None,
        description="Filing date of that pending application; unknown when none.",
        examples=["2024-11-27"],
    )
    unrecognised_government: bool = Field(
        default=False,
        description="Holds such an office on the date in a government most states do not "
        "recognise (datasets/people.yaml roles[].recognised: false; the Taliban).",
        examples=[False],
    )


class WarrantFacts(_Group):
    id: str = Field(
        description="Warrant id; empty when status is none.", examples=["putin-vladimir-2023"]
    )
    situation: str = Field(description="Situation id; empty when none.", examples=["ukraine"])
    situation_name: str = Field(
        default="",
        description="The situation's name, for explanations; empty when none.",
        examples=["Situation in Ukraine"],
    )
    status: WarrantState = Field(
        description="On the date: none (no warrant at all), not_yet_issued, active "
        "(outstanding, sealed or public), executed (in the Court's custody), withdrawn, "
        "terminated (e.g. on death), vacated.",
        examples=["active"],
    )
    issued: dt.date | None = Field(
        default=None, description="Date of issue.", examples=["2023-03-17"]
    )
    public: bool = Field(default=False, description="Made public by the date.", examples=[True])
    article: Literal["58", "70", ""] = Field(
        default="",
        description="58 (core crimes) or 70 (offences against justice).",
        examples=["58"],
    )


class CountryFacts(_Group):
    iso3: str = Field(description="ISO alpha-3 code.", examples=["JPN"])
    name: str = Field(description="Short name.", examples=["Japan"])
    state_party: bool = Field(
        description="Bound by the Statute on the date (a territory: its sovereign is, and the "
        "ratification covers it).",
        examples=[True],
    )
    party_since: dt.date | None = Field(
        default=None, description="Entry into force for it (Art. 126).", examples=["2007-10-01"]
    )
    withdrawal_pending: bool = Field(
        default=False, description="A withdrawal notified but not yet effective (Art. 127(1))."
    )
    former_party: bool = Field(default=False, description="Its withdrawal has taken effect.")
    residual_duty: bool = Field(
        default=False,
        description="Former party, the warrant's situation was opened before the withdrawal "
        "took effect, and the warrant was issued (or a request for arrest reached the state) "
        "before then too (Art. 127(2): proceedings 'commenced prior to' that date).",
    )
    investigation_before_withdrawal: bool = Field(
        default=False,
        description="Former party, and the warrant's situation was under investigation (or the "
        "Prosecutor's preliminary examination) before its withdrawal took effect, whatever the "
        "warrant's date: the broad reading of art. 127(2), which the rules mark as contested "
        "where the warrant came later.",
    )
    request_received: bool = Field(
        default=False,
        description="A known recipient, by the date, of the Court's request to arrest and "
        "surrender on this warrant (datasets/warrants.yaml requests). Matters while the warrant "
        "is sealed: then only recipients know of it and are asked to act (art. 89(1)).",
    )
    effective_control: str = Field(
        default="",
        description="Who controls the place on the date when the de jure state does not (an "
        "occupied or de facto area typed by the user, datasets/areas.yaml), in words; empty "
        "when the state controls its territory.",
        examples=["Russia (occupation)"],
    )
    self_referral: bool = Field(
        default=False,
        description="It referred the warrant's situation, on its own territory, to the Court "
        "(art. 14; datasets/situations.yaml referred_by).",
    )
    own_leader: bool = Field(
        default=False,
        description="The person holds a head of state, head of government or foreign minister "
        "office of this state on the date.",
    )
    declaration_12_3: bool = Field(
        default=False,
        description="An accepted Art. 12(3) declaration covering the warrant's situation, "
        "lodged by the date.",
    )
    unsc_bound: bool = Field(
        default=False,
        description="A Security Council referral of the warrant's situation obliges it.",
    )
    territory: bool = Field(default=False, description="A territory of another state.")
    territory_excluded: bool = Field(
        default=False,
        description="A territory whose sovereign is a party but whose ratification excludes it.",
    )
    own_national: bool = Field(default=False, description="The person is its national.")
    situation_country: bool = Field(
        default=False, description="The warrant's situation concerns its territory."
    )
    noncompliance_with_person: bool = Field(
        default=False,
        description="It failed to arrest this person on its territory before the date.",
    )
    noncompliance_findings: int = Field(
        default=0, description="Judicial non-compliance findings against it by the date.", ge=0
    )
    position: PositionKind = Field(
        default="none",
        description="Its latest stated position on this person's warrant by the date.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> CountryFacts:
        # What the Snapshot can never produce; lint reasons over possible records only.
        if self.state_party and self.former_party:
            raise ValueError("a State Party is not a former party")
        if self.territory_excluded and (self.state_party or self.former_party):
            raise ValueError("an excluded territory's sovereign is a party: it is not bound")
        if self.residual_duty and not self.investigation_before_withdrawal:
            raise ValueError("a residual duty needs an investigation begun before withdrawal")
        if self.investigation_before_withdrawal and not self.former_party:
            raise ValueError("only a former party has a residual duty")
        if self.withdrawal_pending and not self.state_party:
            raise ValueError("a pending withdrawal belongs to a State Party")
        return self


class FactRecord(_Group):
    """Everything the rules may test, for one person, warrant, country, date and mode."""

    query: QueryFacts
    person: PersonFacts
    warrant: WarrantFacts
    country: CountryFacts

    def flat(self) -> dict[str, Any]:
        """``{"country.state_party": True, ...}``: each group's ``model_dump()``, None kept."""
        out: dict[str, Any] = {}
        for group, names in FLAT_NAMES:
            # The groups hold only scalars, so their validated values are what model_dump()
            # returns; read directly, at a fifth of its cost (flat runs for every evaluation).
            values = getattr(self, group).__dict__
            for name, key in names:
                out[key] = values[name]
        return out


GROUPS = ("query", "person", "warrant", "country")
_GROUP_MODELS: tuple[type[_Group], ...] = (QueryFacts, PersonFacts, WarrantFacts, CountryFacts)
#: Per group, each field's name and its flat name.
FLAT_NAMES = tuple(
    (group, tuple((name, f"{group}.{name}") for name in model.model_fields))
    for group, model in zip(GROUPS, _GROUP_MODELS, strict=True)
)


class FactInfo(BaseModel):
    """What the rule language knows of one fact: its type and, for enums, its values."""

    model_config = ConfigDict(frozen=True)

    name: str
    kind: Literal["bool", "str", "int", "date", "enum"]
    values: tuple[str, ...] = ()
    nullable: bool = False
    description: str = ""


def _fact_info(name: str, annotation: Any, description: str) -> FactInfo:
    nullable = False
    args = get_args(annotation)
    if args and type(None) in args:
        nullable = True
        annotation = next(a for a in args if a is not type(None))
    if get_origin(annotation) is Literal:
        return FactInfo(
            name=name,
            kind="enum",
            values=tuple(str(v) for v in get_args(annotation)),
            nullable=nullable,
            description=description,
        )
    kinds: dict[Any, Literal["bool", "int", "str", "date"]] = {
        bool: "bool",
        int: "int",
        str: "str",
        dt.date: "date",
    }
    kind = kinds[annotation]
    return FactInfo(name=name, kind=kind, nullable=nullable, description=description)


def catalogue() -> dict[str, FactInfo]:
    """Every fact name the rules may test, with its type."""
    groups: dict[str, type[_Group]] = {
        "query": QueryFacts,
        "person": PersonFacts,
        "warrant": WarrantFacts,
        "country": CountryFacts,
    }
    out: dict[str, FactInfo] = {}
    for group, model in groups.items():
        for field_name, field in model.model_fields.items():
            name = f"{group}.{field_name}"
            out[name] = _fact_info(name, field.annotation, field.description or "")
    return out


FACTS = catalogue()

#: How enum values read in explanations: answers speak words, never internal codes.
LABELS: dict[str, dict[str, str]] = {
    "country.position": {
        "none": "no stated position",
        "immunity_claimed": "that the person enjoys immunity",
        "will_arrest": "that it will arrest the person",
        "will_not_arrest": "that it will not arrest the person",
        "other": "a position short of a commitment either way",
    },
    "warrant.status": {
        "none": "no warrant",
        "not_yet_issued": "not yet issued",
        "active": "outstanding",
        "executed": "executed",
        "withdrawn": "withdrawn",
        "terminated": "terminated",
        "vacated": "vacated",
    },
    "query.mode": {
        "visit": "a visit",
        "transit": "a transit landing",
        "overflight": "an overflight",
    },
}
