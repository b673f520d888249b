// The page's controller: one view (person, date, mode, country) in the address; each new view
// clears the old answer first, cancels the requests still running for it, and ignores any reply
// that belongs to an older view (a counter per view and per explanation).

import { $, el } from "./dom.js";
import { getJSON, isAbort, q } from "./api.js";
import { readState, sameQuestion, titleOf, urlOf } from "./state.js";
import { clearMap, onPlaceActivated, paintMap, selectOnMap, summaryText } from "./map.js";
import { csv, selectRow, setRows, setupTable } from "./table.js";
import {
  clearDetail, clearPersonCard, clearQuestion, detailError, detailLoading, renderPersonCard,
  renderQuestion, renderVerdict,
} from "./detail.js";
import { hideTimeline, loadTimeline, setupTimeline, showTimeline } from "./timeline.js";

let generation = 0;
let controller = null;
let detailGeneration = 0;
let detailController = null;
let loaded = null; // {state, id, name, rows, detail}: the answer on screen, or null
let wanted = readState(location.search);

const asOf = () => $("as-of").textContent.trim();
const version = () => $("data-version").title;

function setStatus(text, kind) {
  const status = $("status");
  status.textContent = text;
  status.className = kind || "";
  $("mapbox").setAttribute("aria-busy", kind === "busy" ? "true" : "false");
}

function setForm(state) {
  $("person").value = state.person;
  $("date").value = state.date;
  $("mode").value = state.mode;
}

function setDownloads(enabled) {
  for (const id of ["dl-svg", "dl-png"]) {
    const a = $(id);
    if (enabled && loaded) {
      const { id: person, state } = loaded;
      const ext = id === "dl-svg" ? "svg" : "png";
      a.href = `/map.${ext}?person=${q(person)}&date=${state.date}&mode=${state.mode}`;
      a.download = `icc-exposure-${person}-${state.date}-${state.mode}.${ext}`;
      a.removeAttribute("aria-disabled");
    } else {
      a.removeAttribute("href");
      a.removeAttribute("download");
      a.setAttribute("aria-disabled", "true");
    }
  }
}

function clearAnswer() {
  loaded = null;
  detailGeneration += 1;
  if (detailController) detailController.abort();
  clearMap();
  setRows([], "");
  clearDetail();
  clearPersonCard();
  clearQuestion();
  hideTimeline();
  setDownloads(false);
  $("map-title").textContent = "No answer on screen";
  $("map-summary").textContent = "The map shows no answer: every place is in the no-answer grey.";
}

function countryName(iso3) {
  return loaded?.rows.find((row) => row.iso3 === iso3)?.name || iso3;
}

function go(state, push) {
  wanted = state;
  if (push) history.pushState(null, "", urlOf(state));
  if (loaded && sameQuestion(state, loaded.state)) {
    loaded.state = state;
    document.title = titleOf(state, loaded.name, state.country && countryName(state.country));
    if (state.country) openDetail(state.country);
    else {
      selectOnMap("");
      selectRow("");
      clearDetail();
    }
    return;
  }
  showWorld(state);
}

// A chosen candidate puts the person's id in the address: look it up as an id first.
const PERSON_ID = /^[a-z0-9]+(-[a-z0-9]+)+$/;

async function personById(id, signal) {
  try {
    return await getJSON(`/v1/people/${q(id)}`, signal);
  } catch (error) {
    if (isAbort(error)) throw error;
    return null;
  }
}

async function showWorld(state) {
  const mine = ++generation;
  if (controller) controller.abort();
  controller = new AbortController();
  const signal = controller.signal;
  clearAnswer();
  setForm(state);
  document.title = titleOf(state);
  if (!state.person) {
    $("map-title").textContent = "No person chosen yet";
    setStatus("");
    return;
  }
  setStatus(`Looking up “${state.person}”…`, "busy");
  try {
    const byId = PERSON_ID.test(state.person) ? await personById(state.person, signal) : null;
    if (mine !== generation) return;
    const found = byId
      ? { match: { id: byId.person.id, name: byId.person.name } }
      : await getJSON(`/v1/people?limit=6&q=${q(state.person)}`, signal);
    if (mine !== generation) return;
    // Only a sure match (or an id) colours the map; a probable one is asked back first.
    if (!found.match || (found.level && found.level !== "sure")) {
      askWhichPerson(state, found);
      return;
    }
    const id = found.match.id;
    setStatus(`Colouring the map for ${found.match.name} on ${state.date}…`, "busy");
    const [world, detail] = await Promise.all([
      getJSON(`/v1/people/${q(id)}/world?date=${state.date}&mode=${state.mode}`, signal),
      byId || getJSON(`/v1/people/${q(id)}`, signal),
    ]);
    if (mine !== generation) return;
    loaded = { state, id, name: world.name, rows: world.countries, detail };
    paintMap(world.countries);
    setRows(world.countries, state.country);
    renderPersonCard(detail);
    setDownloads(true);
    $("map-title").textContent = `${world.name} on ${world.date} (${world.mode})`;
    const summary = summaryText(world.countries, world.name, world.date, world.mode);
    $("map-summary").textContent = summary;
    document.title = titleOf(state, world.name, state.country && countryName(state.country));
    setStatus(summary, "done");
    if (state.country) openDetail(state.country);
    const timeline = await loadTimeline(id, detail, world.countries, asOf(), state.date, state.mode, signal);
    if (mine !== generation) return;
    showTimeline(timeline, state.date);
  } catch (error) {
    if (isAbort(error) || mine !== generation) return;
    setStatus(`The search failed: ${error.message}. Nothing is shown until it succeeds.`, "error");
  }
}

function askWhichPerson(state, found) {
  const candidates = found.candidates || [];
  const choose = (c) => go({ ...state, person: c.id, country: state.country }, true);
  if (!candidates.length) {
    $("map-title").textContent = `No public warrant names “${state.person}”`;
    setStatus(
      `No person with a public ICC arrest warrant matches “${state.person}”. ` +
        "Sealed warrants are unknown to this tool, so the map stays uncoloured.",
    );
    return;
  }
  const probable = found.level === "probable" && found.match;
  const several = !probable && (found.level === "ambiguous" || candidates.filter((c) => c.score >= candidates[0].score - 0.05).length > 1);
  const question = probable
    ? `“${state.person}” is not an exact match. Did you mean ${found.match.name}?`
    : several
      ? `“${state.person}” may mean several people with public warrants. Which one?`
      : `“${state.person}” matches no one for sure. Did you mean:`;
  $("map-title").textContent = probable ? `Did you mean ${found.match.name}?` : `Which person? “${state.person}” is not sure`;
  renderQuestion(question, candidates, choose);
  setStatus(question + " The map stays uncoloured until you choose: this is not a “none”.");
}

async function openDetail(iso3) {
  if (!loaded) return;
  const mine = ++detailGeneration;
  if (detailController) detailController.abort();
  detailController = new AbortController();
  const signal = detailController.signal;
  const { id, state } = loaded;
  const name = countryName(iso3);
  selectOnMap(iso3);
  selectRow(iso3);
  detailLoading(name);
  try {
    const verdict = await getJSON(
      `/v1/exposure?person=${q(id)}&country=${q(iso3)}&date=${state.date}&mode=${state.mode}`,
      signal,
    );
    if (mine !== detailGeneration) return;
    renderVerdict(verdict);
  } catch (error) {
    if (isAbort(error) || mine !== detailGeneration) return;
    const choices = error.problem?.choices || error.problem?.candidates;
    if (choices?.length) {
      renderQuestion(error.message, choices, (c) => go({ ...state, person: c.id || c.name, country: iso3 }, true));
    }
    detailError(name, error.message);
  }
}

function activate(iso3) {
  if (!loaded) {
    setStatus("Search for a person first: the map shows no answer yet.");
    return;
  }
  go({ ...loaded.state, country: iso3 }, true);
}

function downloadCsv() {
  if (!loaded) return;
  const { state, id } = loaded;
  const text = csv({ person: loaded.name, date: state.date, mode: state.mode, asOf: asOf(), version: version() });
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const a = el("a");
  a.href = url;
  a.download = `icc-exposure-${id}-${state.date}-${state.mode}.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function init() {
  setupTable(activate, () => wanted.country);
  setupTimeline((date) => {
    if (loaded) go({ ...loaded.state, date }, true);
  });
  onPlaceActivated(activate);
  $("search").addEventListener("submit", (event) => {
    event.preventDefault();
    const person = $("person").value.trim();
    if (!person) return;
    go({ person, date: $("date").value || wanted.date, mode: $("mode").value, country: "" }, true);
  });
  for (const id of ["date", "mode"]) {
    $(id).addEventListener("change", () => {
      if (!loaded || !$("date").value) return;
      go({ ...loaded.state, date: $("date").value, mode: $("mode").value }, true);
    });
  }
  $("dl-csv").addEventListener("click", downloadCsv);
  window.addEventListener("popstate", () => go(readState(location.search), false));
  history.replaceState(null, "", urlOf(wanted));
  go(wanted, false);
}

init();
