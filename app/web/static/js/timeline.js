// The date slider: over the person's warrant period, with a mark on each date something changes
// for them (GET /v1/people/{id}/changes when the service has it; else computed here from the
// warrants' dates and the States Parties' entry into force seen in the world view).

import { $, el } from "./dom.js";
import { getJSON, q } from "./api.js";

const DAY = 86400000;
const toDays = (iso) => Math.round(Date.parse(iso + "T00:00:00Z") / DAY);
const toIso = (days) => new Date(days * DAY).toISOString().slice(0, 10);
let onPick = () => {};

function fallbackChanges(detail, rows, from, to) {
  const changes = [];
  for (const w of detail.warrants || []) {
    changes.push({ date: w.issued, what: `warrant ${w.id} issued` });
    if (w.made_public && w.made_public !== w.issued) changes.push({ date: w.made_public, what: `warrant ${w.id} made public` });
    for (const h of w.history || []) if (h.status !== "issued") changes.push({ date: h.date, what: `warrant ${w.id} ${h.status}` });
  }
  if (detail.person?.died) changes.push({ date: detail.person.died, what: "reported dead" });
  for (const row of rows) {
    if (row.party_since && row.party_since >= from && row.party_since <= to && !row.territory_of) {
      changes.push({ date: row.party_since, what: `${row.name} becomes a State Party` });
    }
  }
  return changes;
}

function describeDay(day) {
  const countries = day.countries || [];
  const shown = countries.slice(0, 3).map((c) => `${c.name}: ${c.exposure_before} → ${c.exposure_after}`);
  if (countries.length > 3) shown.push(`${countries.length - 3} more`);
  return (day.scheduled ? "scheduled: " : "") + (shown.join("; ") || "change");
}

function normalise(body) {
  const list = Array.isArray(body) ? body : body?.days || body?.changes || [];
  return list
    .map((c) => ({ date: c.date, what: c.what || (c.countries ? describeDay(c) : c.description || "change") }))
    .filter((c) => /^\d{4}-\d{2}-\d{2}$/.test(c.date || ""));
}

export function range(detail, asOf, date) {
  const issued = (detail.warrants || []).map((w) => w.issued).sort();
  const start = issued.length ? toDays(issued[0]) - 365 : toDays(date) - 365;
  const end = Math.max(toDays(asOf), toDays(new Date().toISOString().slice(0, 10)), toDays(date));
  return { from: toIso(Math.min(start, toDays(date))), to: toIso(end) };
}

export async function loadTimeline(personId, detail, rows, asOf, date, mode, signal) {
  const { from, to } = range(detail, asOf, date);
  let changes;
  try {
    const url = `/v1/people/${q(personId)}/changes?from=${from}&to=${to}&mode=${mode}`;
    changes = normalise(await getJSON(url, signal));
  } catch (error) {
    if (error.name === "AbortError") throw error;
    changes = fallbackChanges(detail, rows, from, to);
  }
  const byDate = new Map();
  for (const c of changes) {
    if (c.date < from || c.date > to) continue;
    byDate.set(c.date, [...(byDate.get(c.date) || []), c.what]);
  }
  return { from, to, changes: [...byDate.entries()].sort().map(([d, what]) => ({ date: d, what: what.join("; ") })) };
}

export function showTimeline(timeline, date) {
  const slider = $("slider");
  slider.min = String(toDays(timeline.from));
  slider.max = String(toDays(timeline.to));
  slider.value = String(toDays(date));
  slider.setAttribute("aria-valuetext", date);
  $("slider-date").textContent = date;
  $("marks").replaceChildren(...timeline.changes.map((c) => {
    const option = el("option");
    option.value = String(toDays(c.date));
    option.label = c.date;
    return option;
  }));
  $("changes").replaceChildren(...timeline.changes.map((c) => {
    const li = el("li");
    const button = el("button", c.date);
    button.type = "button";
    button.title = c.what;
    button.setAttribute("aria-label", `${c.date}: ${c.what}`);
    if (c.date === date) button.setAttribute("aria-current", "true");
    button.addEventListener("click", () => onPick(c.date));
    li.append(button);
    return li;
  }));
  $("changes-intro").hidden = timeline.changes.length === 0;
  $("timeline").hidden = false;
}

export function hideTimeline() {
  $("timeline").hidden = true;
}

export function setupTimeline(pick) {
  onPick = pick;
  const slider = $("slider");
  slider.addEventListener("input", () => {
    const iso = toIso(Number(slider.value));
    $("slider-date").textContent = iso;
    slider.setAttribute("aria-valuetext", iso);
  });
  // One new view per release of the slider, not one per pixel dragged.
  slider.addEventListener("change", () => onPick(toIso(Number(slider.value))));
}
