// The view lives in the address: ?person=&date=&mode=&country= (shareable; Back and Forward
// walk through earlier views).

const MODES = ["visit", "transit", "overflight"];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function today() {
  return new Date().toISOString().slice(0, 10);
}

export function readState(search) {
  const params = new URLSearchParams(search);
  const date = params.get("date") || "";
  const mode = params.get("mode") || "";
  const country = (params.get("country") || "").toUpperCase();
  return {
    person: (params.get("person") || "").trim(),
    date: DATE.test(date) ? date : today(),
    mode: MODES.includes(mode) ? mode : "visit",
    country: /^[A-Z]{3}$/.test(country) ? country : "",
  };
}

export function urlOf(state) {
  const params = new URLSearchParams();
  if (state.person) params.set("person", state.person);
  params.set("date", state.date);
  params.set("mode", state.mode);
  if (state.country) params.set("country", state.country);
  return "?" + params.toString();
}

export function sameQuestion(a, b) {
  return !!a && !!b && a.person === b.person && a.date === b.date && a.mode === b.mode;
}

export function titleOf(state, name, countryName) {
  if (!state.person) return "icc-exposure: world map";
  const who = name || state.person;
  const where = countryName ? " in " + countryName : "";
  return `${who}${where} on ${state.date} (${state.mode}) · icc-exposure`;
}
