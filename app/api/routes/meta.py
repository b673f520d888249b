"""Health, readiness and the datasets the answers rest on."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.api.deps import RuntimeDep, SnapshotDep
from app.errors import NotReady

router = APIRouter()


class Health(BaseModel):
    status: str = Field(description="Always 'ok' while the process answers.", examples=["ok"])


class Ready(BaseModel):
    status: str = Field(description="'ready' once datasets are loaded.", examples=["ready"])
    datasets_version: str = Field(
        description="Content hash of the datasets.", examples=["sha256:3f1c..."]
    )


class DatasetFile(BaseModel):
    name: str = Field(description="File under datasets/.", examples=["states_parties.yaml"])
    sha256: str = Field(description="Hash of the file's bytes.", examples=["9b1d..."])
    records: int = Field(description="Records in the file.", examples=[127])


class DatasetsInfo(BaseModel):
    version: str = Field(description="Content hash of all files.", examples=["sha256:3f1c..."])
    as_of: dt.date = Field(
        description="Date up to which the facts were researched.", examples=["2026-11-26"]
    )
    files: list[DatasetFile] = Field(description="Each dataset file.")
    counts: dict[str, int] = Field(
        description="Records by kind.",
        examples=[{"states": 127, "warrants": 60, "people": 58}],
    )
    sources: list[str] = Field(
        description="Main sources of the datasets; every record also cites its own.",
    )
    notice: str = Field(
        description="Scope of the data.",
        examples=["Public record only: sealed warrants are not known to this service."],
    )


MAIN_SOURCES = [
    "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XVIII-10&chapter=18",
    "https://asp.icc-cpi.int/states-parties",
    "https://www.icc-cpi.int/cases",
    "https://en.wikipedia.org/wiki/States_parties_to_the_Rome_Statute_of_the_International_Criminal_Court",
    "https://en.wikipedia.org/wiki/List_of_people_indicted_in_the_International_Criminal_Court",
]
NOTICE = (
    "Public record only: warrants still under seal are unknown to this service, and an answer "
    "of no exposure means no public warrant, not no warrant."
)


HEALTHY = Health(status="ok").model_dump_json().encode()


@router.get(
    "/healthz",
    operation_id="meta-healthz",
    tags=["meta"],
    summary="The process is alive",
    response_model=Health,
)
async def healthz() -> Response:
    # Made once: a probe must cost the loop next to nothing, however busy the service is.
    return Response(HEALTHY, media_type="application/json")


@router.get(
    "/readyz",
    operation_id="meta-readyz",
    tags=["meta"],
    summary="Datasets loaded and the service warmed",
    responses={503: {"description": "Not ready yet (problem+json)."}},
)
async def readyz(runtime: RuntimeDep) -> Ready:
    if not runtime.ready:
        raise NotReady("the datasets are not loaded yet")
    return Ready(status="ready", datasets_version=runtime.current.snapshot.version)


@router.get(
    "/v1/datasets",
    operation_id="datasets-info",
    tags=["datasets"],
    summary="The datasets: files, counts, as-of date, hash and sources",
)
async def datasets(snapshot: SnapshotDep) -> DatasetsInfo:
    return DatasetsInfo(
        version=snapshot.version,
        as_of=snapshot.as_of,
        files=[
            DatasetFile(name=f.name, sha256=f.sha256, records=f.records) for f in snapshot.files
        ],
        counts=snapshot.counts(),
        sources=MAIN_SOURCES,
        notice=NOTICE,
    )
