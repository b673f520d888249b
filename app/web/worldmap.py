"""The map as SVG, from the shipped geometry (static/world-map.json, built by tools/build_map.mjs)
and the shared legend (static/levels.json): the page's interactive map and the exported file."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

STATIC = Path(__file__).parent / "static"
GEOMETRY_FILE = STATIC / "world-map.json"
LEVELS_FILE = STATIC / "levels.json"
# A shape smaller than this (px² at 960 px wide) cannot be seen or clicked: it gets a marker.
MARKER_AREA = 6.0
MARKER_RADIUS = 3.2


@dataclass(frozen=True)
class Place:
    """One country or territory on the map: its outline (if Natural Earth has one) and its point."""

    iso3: str
    name: str
    d: str | None
    point: tuple[float, float]
    marker: bool
    source: str


@dataclass(frozen=True)
class Geometry:
    width: int
    height: int
    sphere: str
    places: Mapping[str, Place]
    unassigned: tuple[str, ...]  # outlines no state's answer covers (Siachen): drawn grey


@lru_cache(maxsize=1)
def legend() -> dict[str, Any]:
    """Colours, labels and one-line explanations of each level and mode (shared with the page)."""
    data: dict[str, Any] = json.loads(LEVELS_FILE.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def geometry() -> Geometry:
    raw = json.loads(GEOMETRY_FILE.read_text(encoding="utf-8"))
    places: dict[str, Place] = {}
    unassigned: list[str] = []
    for key, item in raw["places"].items():
        if item.get("unassigned"):
            unassigned.append(item["d"])
            continue
        places[key] = Place(
            iso3=key,
            name=item["name"],
            d=item["d"],
            point=(item["point"][0], item["point"][1]),
            marker=item["d"] is None or item["area"] < MARKER_AREA,
            source=item["source"],
        )
    return Geometry(
        width=raw["width"],
        height=raw["height"],
        sphere=raw["sphere"],
        places=places,
        unassigned=tuple(unassigned),
    )


def interactive_svg(names: Mapping[str, str]) -> str:
    """The page's map: every place in ``names`` (iso3 -> name) as a focusable shape or marker with
    data-iso3; the page's script colours them. Tiny outlines stay visible but the marker takes
    the focus, so each place is one stop for the keyboard."""
    geo = geometry()
    shapes: list[str] = []
    markers: list[str] = []
    for iso3, name in sorted(names.items()):
        place = geo.places.get(iso3)
        if place is None:
            continue
        label = escape(name, quote=True)
        focus = f'tabindex="0" role="button" aria-label="{label}"'
        if place.d is not None:
            attrs = 'aria-hidden="true"' if place.marker else focus
            shapes.append(
                f'<path class="place" id="c-{iso3}" data-iso3="{iso3}" {attrs} d="{place.d}">'
                f"<title>{label}</title></path>"
            )
        if place.marker:
            x, y = place.point
            markers.append(
                f'<circle class="place marker" id="m-{iso3}" data-iso3="{iso3}" {focus} '
                f'cx="{x}" cy="{y}" r="{MARKER_RADIUS}"><title>{label}</title></circle>'
            )
    unassigned = "".join(f'<path class="unassigned" d="{d}"/>' for d in geo.unassigned)
    return (
        f'<svg id="map" viewBox="0 0 {geo.width} {geo.height}" role="group" '
        f'aria-labelledby="map-title map-summary">'
        f'<path class="sphere" d="{geo.sphere}"/>{"".join(shapes)}{unassigned}'
        f'<g class="markers">{"".join(markers)}</g></svg>'
    )


@dataclass(frozen=True)
class MapView:
    """What an exported map shows: whose answer, when, how, and the data it rests on."""

    person: str
    date: dt.date
    mode: str
    exposure: Mapping[str, str]  # iso3 -> level id
    as_of: dt.date
    datasets_version: str


def export_svg(view: MapView) -> str:
    """A self-contained SVG (fills inline, no script, no external reference): the map with a
    title, the legend and a footer with the as-of date and data version."""
    geo = geometry()
    spec = legend()
    fills = {level["id"]: level["fill"] for level in spec["levels"]}
    no_answer = spec["no_answer"]["fill"]
    border = spec["border"]
    top, legend_h, bottom = 56, 64, 40
    width, height = geo.width, top + geo.height + legend_h + bottom
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Liberation Sans, Arial, '
        f'sans-serif">',
        f"<title>{escape(_title(view))}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="16" y="26" font-size="18" font-weight="bold" fill="#1b1b1b">'
        f"{escape(view.person)}</text>",
        f'<text x="16" y="46" font-size="13" fill="#333333">{escape(_subtitle(view))}</text>',
        f'<g transform="translate(0 {top})">',
        f'<path d="{geo.sphere}" fill="{spec["sea"]}" stroke="#c9d3dc" stroke-width="0.6"/>',
    ]
    markers: list[str] = []
    for iso3, place in sorted(geo.places.items()):
        fill = fills.get(view.exposure.get(iso3, ""), no_answer)
        if place.d is not None:
            out.append(f'<path d="{place.d}" fill="{fill}" stroke="{border}" stroke-width="0.4"/>')
        if place.marker and iso3 in view.exposure:
            x, y = place.point
            markers.append(
                f'<circle cx="{x}" cy="{y}" r="{MARKER_RADIUS}" fill="{fill}" '
                f'stroke="#1b1b1b" stroke-width="0.6"/>'
            )
    out.extend(f'<path d="{d}" fill="{no_answer}" stroke="{border}"/>' for d in geo.unassigned)
    out.extend(markers)
    out.append("</g>")
    y = top + geo.height + 18
    x = 16
    for level in [*spec["levels"], spec["no_answer"]]:
        count = sum(1 for value in view.exposure.values() if value == level["id"])
        label = f"{level['label']} ({count})" if level["id"] in fills else level["label"]
        out.append(
            f'<rect x="{x}" y="{y - 11}" width="14" height="14" fill="{level["fill"]}" '
            f'stroke="#777777" stroke-width="0.5"/>'
            f'<text x="{x + 20}" y="{y}" font-size="13" fill="#1b1b1b">{escape(label)}</text>'
        )
        x += 150
    explain = next((m["explain"] for m in spec["modes"] if m["id"] == view.mode), "")
    out.append(
        f'<text x="16" y="{y + 24}" font-size="11" fill="#333333">'
        f"{escape(view.mode)}: {escape(explain)} Circles: places too small to draw.</text>"
    )
    out.append(
        f'<text x="16" y="{height - 14}" font-size="11" fill="#333333">'
        f"{escape(_footer(view))}</text>"
    )
    out.append("</svg>")
    return "".join(out)


def _title(view: MapView) -> str:
    return f"{view.person}: ICC arrest-warrant exposure on {view.date.isoformat()} ({view.mode})"


def _subtitle(view: MapView) -> str:
    return (
        f"ICC arrest-warrant exposure on {view.date.isoformat()}, mode {view.mode}. "
        "Public record only: sealed warrants are unknown."
    )


def _footer(view: MapView) -> str:
    return (
        f"icc-exposure · datasets as of {view.as_of.isoformat()} · data version "
        f"{view.datasets_version[:19]} · outlines: Natural Earth (public domain)"
    )


def export_png(view: MapView, scale: float = 2.0) -> bytes:
    """The same SVG rasterised by resvg (system fonts; no browser)."""
    import resvg_py  # heavy-ish native module: only when a PNG is asked for

    png: bytes = resvg_py.svg_to_bytes(svg_string=export_svg(view), zoom=scale)
    return png
