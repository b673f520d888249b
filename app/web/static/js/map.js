// Colours the server-rendered map (shapes and markers carry data-iso3) and reads it aloud as
// counts per level.

import { $ } from "./dom.js";

export const LEVELS = ["high", "medium", "low", "none"];

function places(iso3) {
  return document.querySelectorAll(`#map .place[data-iso3="${iso3}"]`);
}

export function clearMap() {
  for (const node of document.querySelectorAll("#map .place")) {
    node.classList.remove("x-high", "x-medium", "x-low", "x-none", "selected");
    const name = node.querySelector("title")?.textContent || node.dataset.iso3;
    if (node.hasAttribute("aria-label")) node.setAttribute("aria-label", name);
  }
}

export function paintMap(rows) {
  clearMap();
  for (const row of rows) {
    for (const node of places(row.iso3)) {
      node.classList.add("x-" + row.exposure);
      if (node.hasAttribute("aria-label")) {
        node.setAttribute("aria-label", `${row.name}: ${row.exposure}`);
      }
    }
  }
}

export function selectOnMap(iso3) {
  for (const node of document.querySelectorAll("#map .place.selected")) {
    node.classList.remove("selected");
  }
  if (iso3) for (const node of places(iso3)) node.classList.add("selected");
}

export function summaryText(rows, name, date, mode) {
  const counts = Object.fromEntries(LEVELS.map((level) => [level, 0]));
  for (const row of rows) counts[row.exposure] = (counts[row.exposure] || 0) + 1;
  const parts = LEVELS.filter((level) => counts[level]).map(
    (level) => `${level} in ${counts[level]}`,
  );
  return `${name} on ${date} (${mode}): exposure ${parts.join(", ")} of ${rows.length} countries and territories.`;
}

export function onPlaceActivated(handler) {
  const map = $("map");
  map.addEventListener("click", (event) => {
    const target = event.target.closest(".place");
    if (target) handler(target.dataset.iso3);
  });
  map.addEventListener("keydown", (event) => {
    const target = event.target.closest(".place");
    if (target && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      handler(target.dataset.iso3);
    }
  });
}
