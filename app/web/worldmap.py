"""Country outlines as SVG paths, from the shipped Natural Earth TopoJSON (no network, no JS)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pycountry

MAP_FILE = Path(__file__).parent / "static" / "countries-110m.json"
WIDTH, HEIGHT = 960.0, 480.0  # equirectangular: 360 x 180 degrees, 85S cut below


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:  # type: ignore[type-arg]
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:  # delta-encoded, quantised positions
            x += dx
            y += dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)  # arcs share their end points
    return points


def _project(lon: float, lat: float) -> tuple[float, float]:
    return (lon + 180.0) * WIDTH / 360.0, (90.0 - lat) * HEIGHT / 180.0


def _path(rings: list[list[tuple[float, float]]]) -> str:
    parts = []
    for ring in rings:
        out = []
        previous: float | None = None
        for lon, lat in ring:
            x, y = _project(lon, lat)
            # A ring that crosses the antimeridian (Fiji, Chukotka) jumps across the map: start
            # a new piece there instead of drawing a line over the whole world.
            command = "M" if previous is None or abs(lon - previous) > 180 else "L"
            out.append(f"{command}{x:.1f},{y:.1f}")
            previous = lon
        parts.append("".join(out) + "Z")
    return "".join(parts)


@lru_cache(maxsize=1)
def country_paths() -> dict[str, tuple[str, str]]:
    """ISO alpha-3 -> (name, SVG path data), for the countries the 1:110m outlines hold."""
    topology = json.loads(MAP_FILE.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    out: dict[str, tuple[str, str]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        numeric = geometry.get("id")
        name = geometry.get("properties", {}).get("name", "")
        country = pycountry.countries.get(numeric=numeric) if numeric else None
        iso3 = country.alpha_3 if country else ("XKX" if name == "Kosovo" else None)
        if iso3 is None or iso3 == "ATA":
            continue  # unrecognised areas (N. Cyprus, Somaliland), and Antarctica: not a state
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        rings = [_ring(arcs, ring) for polygon in polygons for ring in polygon]
        previous = out.get(iso3)
        path = _path(rings)
        out[iso3] = (name, previous[1] + path if previous else path)
    return out


def svg() -> str:
    """The map: one <path> per country, id = ISO alpha-3, coloured later by the page."""
    paths = "".join(
        f'<path id="c-{iso3}" data-iso3="{iso3}" d="{d}"><title>{name}</title></path>'
        for iso3, (name, d) in sorted(country_paths().items())
    )
    return (
        f'<svg id="map" viewBox="0 0 {WIDTH:.0f} {HEIGHT:.0f}" role="img" '
        f'aria-label="World map of exposure">{paths}</svg>'
    )
