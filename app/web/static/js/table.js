// The table of every place: sortable by any column, filterable by name and level, rows
// focusable (Enter or Space opens the explanation), exportable as CSV.

import { $, badge, el } from "./dom.js";

const RANK = { high: 3, medium: 2, low: 1, none: 0 };
let rows = [];
let sort = { key: "name", direction: 1 };
let onOpen = () => {};

function compare(a, b) {
  const key = sort.key;
  let result;
  if (key === "exposure") result = RANK[a.exposure] - RANK[b.exposure];
  else if (key === "obligation") result = Number(a.obligation) - Number(b.obligation);
  else result = String(a[key] ?? "").localeCompare(String(b[key] ?? ""));
  return sort.direction * result || a.name.localeCompare(b.name);
}

export function visibleRows() {
  const text = $("filter").value.trim().toLocaleLowerCase();
  const level = $("level-filter").value;
  return rows
    .filter((row) => !level || row.exposure === level)
    .filter((row) => !text || row.name.toLocaleLowerCase().includes(text) || row.iso3.toLowerCase() === text)
    .sort(compare);
}

function cells(row, names) {
  const name = el("td");
  name.append(el("span", row.name));
  if (row.territory_of) {
    const sovereign = names.get(row.territory_of) || row.territory_of;
    name.append(el("span", `territory of ${sovereign}; answered on its own`, "terr"));
  }
  const level = el("td");
  level.append(badge(row.exposure));
  return [
    name,
    level,
    el("td", row.obligation ? "yes" : "no"),
    el("td", row.party_since || (row.state_party ? "yes" : "—")),
    el("td", row.reason),
  ];
}

export function render(selected) {
  const body = $("rows");
  const names = new Map(rows.map((row) => [row.iso3, row.name]));
  const shown = visibleRows();
  body.replaceChildren(
    ...shown.map((row) => {
      const tr = el("tr");
      tr.dataset.iso3 = row.iso3;
      tr.tabIndex = 0;
      if (row.iso3 === selected) tr.className = "selected";
      tr.append(...cells(row, names));
      return tr;
    }),
  );
  $("count").textContent = rows.length ? `${shown.length} of ${rows.length}` : "";
  for (const th of document.querySelectorAll("#table th")) {
    const key = th.querySelector("button").dataset.sort;
    if (key === sort.key) th.setAttribute("aria-sort", sort.direction > 0 ? "ascending" : "descending");
    else th.removeAttribute("aria-sort");
  }
  $("dl-csv").disabled = rows.length === 0;
}

export function setRows(newRows, selected) {
  rows = newRows;
  render(selected);
}

export function selectRow(iso3) {
  for (const tr of document.querySelectorAll("#rows tr")) {
    tr.classList.toggle("selected", tr.dataset.iso3 === iso3);
  }
}

export function setupTable(open, selectedOf) {
  onOpen = open;
  const body = $("rows");
  body.addEventListener("click", (event) => {
    const tr = event.target.closest("tr");
    if (tr) onOpen(tr.dataset.iso3);
  });
  body.addEventListener("keydown", (event) => {
    const tr = event.target.closest("tr");
    if (tr && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      onOpen(tr.dataset.iso3);
    }
  });
  for (const button of document.querySelectorAll("#table th button")) {
    button.addEventListener("click", () => {
      const key = button.dataset.sort;
      sort = { key, direction: sort.key === key ? -sort.direction : key === "exposure" ? -1 : 1 };
      render(selectedOf());
    });
  }
  $("filter").addEventListener("input", () => render(selectedOf()));
  $("level-filter").addEventListener("change", () => render(selectedOf()));
}

function csvField(value) {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\n\r]/.test(text) ? '"' + text.replaceAll('"', '""') + '"' : text;
}

export function csv(meta) {
  const header = ["date", "mode", "iso3", "name", "exposure", "obligation", "state_party", "party_since", "territory_of", "rule", "reason"];
  const lines = [header.join(",")];
  for (const row of visibleRows()) {
    const full = { ...row, date: meta.date, mode: meta.mode };
    lines.push(header.map((key) => csvField(full[key])).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}
