// The explanation of one answer (a Verdict), the question asked back when a name is not sure,
// and the person card. Fields other parts of the service add over time are read defensively.

import { $, badge, el, link } from "./dom.js";

const TIER_ORDER = { official: 0, court: 0, government: 1, un: 1, press: 2, other: 3 };

function section(title) {
  return el("h3", title);
}

export function clearDetail(message) {
  const box = $("detail");
  box.replaceChildren(el("h2", "Details"), el("p", message || "Pick a country on the map or in the table.", "muted"));
  box.querySelector("h2").id = "detail-title";
}

export function detailLoading(name) {
  const box = $("detail");
  box.replaceChildren(el("h2", name || "Details"), el("p", "Loading the explanation…", "muted"));
  box.querySelector("h2").id = "detail-title";
}

export function detailError(name, message) {
  const box = $("detail");
  const p = el("p", "Could not load the explanation: " + message);
  p.setAttribute("role", "alert");
  box.replaceChildren(el("h2", name || "Details"), p);
  box.querySelector("h2").id = "detail-title";
}

function sources(evidence) {
  const items = [];
  for (const record of evidence || []) {
    for (const source of record.sources || []) {
      const url = typeof source === "string" ? source : source.url;
      const tier = typeof source === "string" ? null : source.tier || null;
      items.push({ url, tier, record });
    }
  }
  // Official sources first (the Court, UN, governments), then the rest, each in record order.
  return items
    .map((item, index) => ({ ...item, index }))
    .sort((a, b) => (TIER_ORDER[a.tier] ?? 2.5) - (TIER_ORDER[b.tier] ?? 2.5) || a.index - b.index);
}

// A recorded or other value as a sentence shows it: null and [] are "none" (no death, no
// withdrawal), records list their set fields.
function shortValue(value) {
  if (value === null || value === undefined || (Array.isArray(value) && !value.length)) return "none";
  if (Array.isArray(value)) return value.map(shortValue).join("; ");
  if (typeof value === "object") {
    return Object.entries(value)
      .filter(([, v]) => v !== null && v !== "" && !(Array.isArray(v) && !v.length))
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
  }
  return String(value);
}

function traceByWarrant(trace) {
  const groups = new Map();
  for (const item of trace || []) {
    const key = item.warrant || "";
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(item);
  }
  return groups;
}

export function renderVerdict(v) {
  const box = $("detail");
  const title = el("h2", v.country?.name || "Details");
  title.id = "detail-title";
  box.replaceChildren(title);
  if (v.country?.territory_of) box.append(el("p", "Territory of " + v.country.territory_of + ", answered on its own.", "muted"));
  const line = el("p");
  const unresolved = v.status === "unresolved" || v.exposure === null || v.exposure === undefined;
  if (unresolved) {
    line.append(badge(null), document.createTextNode(" unresolved: the name does not say which person; this is not a “none”"));
  } else {
    line.append(
      badge(v.exposure),
      document.createTextNode(` duty to arrest: ${v.obligation ? "yes" : "no"} · confidence ${v.confidence ?? "?"}`),
    );
  }
  box.append(line);
  if (v.match && v.match.level && v.match.level !== "sure") {
    box.append(el("p", `Person match: ${v.match.level}${v.match.matched ? " (“" + v.match.matched + "”)" : ""}`, "muted"));
  }
  if (v.summary) box.append(el("p", v.summary));
  for (const note of v.notes || []) box.append(el("p", note, "muted"));
  if (v.freshness?.datasets_as_of) box.append(el("p", `Facts as of ${v.freshness.datasets_as_of}.`, "muted as-of"));
  if (v.freshness?.caveat) box.append(el("p", v.freshness.caveat, "caveat"));

  const contested = v.contested || [];
  if (contested.length) {
    box.append(section("Contested"));
    for (const c of contested) {
      const p = el("p", "", "contested");
      p.append(el("b", c.point || c.rule || "Contested point"), document.createTextNode(" Other reading: " + (c.other_reading || "")));
      box.append(p);
    }
  }
  const alternatives = v.alternatives || [];
  if (alternatives.length) {
    box.append(section("If the sources that disagree are right"));
    for (const a of alternatives) {
      const p = el("p", "", "alternative");
      const what = `${a.field || "a fact"} of ${a.record || "?"}: recorded ${shortValue(a.recorded)}, other sources ${shortValue(a.alternative)}`;
      p.append(el("span", what + ". "));
      if (a.exposure) p.append(document.createTextNode("Then: "), badge(a.exposure), document.createTextNode(a.obligation ? " with a duty to arrest" : " with no duty to arrest"));
      if (a.changes_answer !== undefined) p.append(el("b", a.changes_answer ? " This changes the answer." : " The answer stays the same."));
      if (a.reason) p.append(el("span", " " + a.reason, "muted"));
      box.append(p);
    }
  }

  const groups = traceByWarrant(v.trace);
  box.append(section("Rules that fired"));
  for (const [warrant, items] of groups) {
    if (warrant) box.append(el("h4", "Warrant " + warrant));
    const list = el("ul");
    for (const t of items) {
      const li = el("li");
      li.append(el("b", t.rule), document.createTextNode(` (${t.where}) `));
      if (t.explanation) li.append(el("span", t.explanation));
      if (t.basis?.length) li.append(el("div", "Basis: " + t.basis.join("; "), "muted"));
      list.append(li);
    }
    box.append(list);
  }
  const found = sources(v.evidence);
  box.append(section("Sources"));
  const list = el("ul");
  for (const s of found) {
    const li = el("li");
    li.append(el("span", s.tier || "source", "tier"), link(s.url), el("span", ` ${s.record.dataset} ${s.record.record} (${s.record.confidence})`, "muted"));
    list.append(li);
  }
  box.append(list);
  if (v.decision_id) box.append(el("p", "Decision " + v.decision_id, "muted"));
}

export function renderQuestion(text, choices, onChoose) {
  const box = $("question");
  box.replaceChildren(el("p", text));
  for (const c of choices) {
    const button = el("button", c.score !== undefined ? `${c.name} (match ${Number(c.score).toFixed(2)})` : c.name);
    button.type = "button";
    button.addEventListener("click", () => onChoose(c));
    box.append(button);
  }
  box.hidden = false;
}

export function clearQuestion() {
  $("question").replaceChildren();
  $("question").hidden = true;
}

export function renderPersonCard(detail) {
  const card = $("person-card");
  const person = detail.person;
  const title = el("h2", person.name);
  title.id = "person-title";
  card.replaceChildren(title);
  const facts = [];
  if (person.birth_date) facts.push("born " + person.birth_date);
  if (person.nationality?.length) facts.push("nationality " + person.nationality.join(", "));
  facts.push(person.died ? "reported dead on " + person.died : "alive (no death on record)");
  card.append(el("p", facts.join(" · ")));
  const aliases = (person.aliases || []).map((a) => a.name).filter((name) => name !== person.name);
  if (aliases.length) card.append(el("p", "Also written: " + aliases.slice(0, 8).join(", "), "muted"));
  card.append(section(`Warrants (${(detail.warrants || []).length})`));
  for (const w of detail.warrants || []) {
    const block = el("div");
    block.append(el("p", `${w.id} · ${w.case} · issued ${w.issued}` + (w.made_public ? ` · public ${w.made_public}` : " · date made public unknown")));
    if (w.charges?.length) block.append(el("p", "Charges: " + w.charges.join("; "), "muted"));
    const history = el("ul");
    for (const h of w.history || []) history.append(el("li", `${h.date}: ${h.status}${h.note ? " (" + h.note + ")" : ""}`));
    block.append(history);
    card.append(block);
  }
  if ((detail.summonses || []).length) card.append(el("p", `Also ${detail.summonses.length} summons(es) to appear (not warrants).`, "muted"));
  card.hidden = false;
}

export function clearPersonCard() {
  $("person-card").replaceChildren();
  $("person-card").hidden = true;
}
