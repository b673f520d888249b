"""The page: one HTML document, its CSS and script inline, the map inline as SVG."""

from __future__ import annotations

from functools import lru_cache

from app.web.worldmap import svg

CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header{padding:14px 24px;background:#14213d;color:#fff}
header h1{font-size:20px;margin:0}header p{margin:4px 0 0;color:#cfd6e6;font-size:13px}
main{padding:16px 24px;display:grid;grid-template-columns:minmax(0,3fr) minmax(300px,1fr);gap:20px}
form{display:flex;gap:8px;flex-wrap:wrap;align-items:end;margin-bottom:12px}
label{display:flex;flex-direction:column;font-size:12px;color:#555}
input,select,button{font:inherit;padding:6px 8px;border:1px solid #bbb;border-radius:4px}
button{background:#14213d;color:#fff;border-color:#14213d;cursor:pointer}
#map{width:100%;height:auto;background:#dbe9f4;border-radius:6px}
#map path{fill:#e4e4e4;stroke:#fff;stroke-width:.4;cursor:pointer}
#map path.x-high{fill:#b2182b}#map path.x-medium{fill:#ef8a62}
#map path.x-low{fill:#f7d774}#map path.x-none{fill:#92c5de}
#map path.selected{stroke:#000;stroke-width:1.5}
.legend span{display:inline-block;margin-right:14px;font-size:13px}
.legend i{display:inline-block;width:12px;height:12px;margin-right:5px;vertical-align:-1px}
table{border-collapse:collapse;width:100%;font-size:13px}
td,th{padding:3px 6px;border-bottom:1px solid #e5e5e5;text-align:left}
tr{cursor:pointer}tr:hover{background:#eef3fb}
.badge{padding:1px 6px;border-radius:8px;font-size:12px;color:#fff}
.b-high{background:#b2182b}.b-medium{background:#ef8a62}.b-low{background:#c9a400}.b-none{background:#4a90c2}
#detail{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:12px;font-size:13px}
#detail h2{font-size:16px;margin:0 0 6px}#detail li{margin-bottom:4px}
.muted{color:#666;font-size:12px}#status{min-height:1.4em;color:#8a1c1c}
.scroll{max-height:420px;overflow:auto}
"""

SCRIPT = """
const $ = (id) => document.getElementById(id);
const LEVELS = {high: 3, medium: 2, low: 1, none: 0};
let current = null;

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

async function getJSON(url) {
  const response = await fetch(url, {headers: {accept: 'application/json'}});
  const body = await response.json();
  if (!response.ok) throw new Error(body.detail || response.statusText);
  return body;
}

function query() {
  return {date: $('date').value, mode: $('mode').value};
}

async function search(event) {
  if (event) event.preventDefault();
  $('status').textContent = '';
  const name = $('person').value.trim();
  if (!name) return;
  try {
    const found = await getJSON('/v1/people?limit=5&q=' + encodeURIComponent(name));
    const box = $('candidates');
    box.replaceChildren();
    if (found.match) return load(found.match.id);
    if (!found.candidates.length) {
      $('status').textContent = 'No person with a public ICC warrant matches "' + name +
        '": exposure none everywhere (sealed warrants are unknown).';
      paint([]);
      return;
    }
    box.append(el('span', 'Did you mean: ', 'muted'));
    for (const c of found.candidates) {
      const b = el('button', c.name + ' (' + c.score.toFixed(2) + ')');
      b.type = 'button';
      b.onclick = () => { $('person').value = c.name; box.replaceChildren(); load(c.id); };
      box.append(b, document.createTextNode(' '));
    }
  } catch (error) {
    $('status').textContent = error.message;
  }
}

async function load(personId) {
  const q = query();
  try {
    const world = await getJSON('/v1/people/' + encodeURIComponent(personId) + '/world?date=' +
      encodeURIComponent(q.date) + '&mode=' + encodeURIComponent(q.mode));
    current = {id: personId, name: world.name, date: world.date, mode: world.mode};
    $('title').textContent = world.name + ' on ' + world.date + ' (' + world.mode + ')';
    paint(world.countries);
  } catch (error) {
    $('status').textContent = error.message;
  }
}

function paint(countries) {
  document.querySelectorAll('#map path').forEach((p) => p.removeAttribute('class'));
  const rows = $('rows');
  rows.replaceChildren();
  const sorted = [...countries].sort((a, b) =>
    LEVELS[b.exposure] - LEVELS[a.exposure] || a.name.localeCompare(b.name));
  for (const c of sorted) {
    const path = $('c-' + c.iso3);
    if (path) path.setAttribute('class', 'x-' + c.exposure);
    const tr = el('tr');
    tr.dataset.iso3 = c.iso3;
    tr.append(el('td', c.name));
    const badge = el('td');
    badge.append(el('span', c.exposure, 'badge b-' + c.exposure));
    tr.append(badge, el('td', c.obligation ? 'yes' : 'no'), el('td', c.reason));
    tr.onclick = () => detail(c.iso3);
    rows.append(tr);
  }
  $('count').textContent = countries.length ? countries.length + ' countries and territories' : '';
}

async function detail(iso3) {
  if (!current) return;
  document.querySelectorAll('#map path.selected').forEach((p) => p.classList.remove('selected'));
  const path = $('c-' + iso3);
  if (path) path.classList.add('selected');
  const v = await getJSON('/v1/exposure?person=' + encodeURIComponent(current.id) + '&country=' +
    encodeURIComponent(iso3) + '&date=' + current.date + '&mode=' + current.mode);
  const box = $('detail');
  box.replaceChildren();
  box.append(el('h2', v.country.name));
  const line = el('p');
  line.append(el('span', v.exposure, 'badge b-' + v.exposure),
    document.createTextNode(' obligation to arrest: ' + (v.obligation ? 'yes' : 'no') +
      ' \\u00b7 confidence ' + v.confidence));
  box.append(line, el('p', v.summary));
  for (const note of v.notes) box.append(el('p', note, 'muted'));
  box.append(el('h3', 'Rules that fired'));
  const list = el('ul');
  for (const t of v.trace) {
    const item = el('li');
    item.append(el('b', t.rule), document.createTextNode(' ' + t.where + ' \\u2014 ' +
      t.basis.join('; ')));
    list.append(item);
  }
  box.append(list, el('h3', 'Sources'));
  const sources = el('ul');
  for (const e of v.evidence) {
    const item = el('li', e.dataset + ' ' + e.record + ' (' + e.confidence + '): ');
    const a = el('a', e.sources[0]);
    a.href = e.sources[0];
    a.rel = 'noreferrer';
    item.append(a);
    sources.append(item);
  }
  box.append(sources, el('p', 'decision ' + v.decision_id, 'muted'));
}

document.addEventListener('DOMContentLoaded', () => {
  $('date').value = new Date().toISOString().slice(0, 10);
  $('search').addEventListener('submit', search);
  document.querySelectorAll('#map path').forEach((p) =>
    p.addEventListener('click', () => detail(p.dataset.iso3)));
  const params = new URLSearchParams(location.search);
  if (params.get('date')) $('date').value = params.get('date');
  if (params.get('mode')) $('mode').value = params.get('mode');
  if (params.get('person')) { $('person').value = params.get('person'); search(); }
});
"""


@lru_cache(maxsize=1)
def page() -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>icc-exposure: world map</title><style>{CSS}</style></head>
<body>
<header><h1>icc-exposure</h1>
<p>Does an ICC arrest warrant expose this person to arrest, where, on this date? Public record
only: warrants under seal are unknown. Every answer cites its legal basis and sources.</p></header>
<main>
<section>
<form id="search">
<label>Person (any script)<input id="person" name="person" required maxlength="200"
  placeholder="Putin, Нетаньяху, Omar al-Bashir"></label>
<label>Date<input id="date" name="date" type="date" required></label>
<label>Mode<select id="mode" name="mode"><option>visit</option><option>transit</option>
<option>overflight</option></select></label>
<button type="submit">Show the map</button>
</form>
<div id="candidates"></div><div id="status" role="status"></div>
<h2 id="title" style="font-size:16px"></h2>
{svg()}
<p class="legend"><span><i style="background:#b2182b"></i>high</span>
<span><i style="background:#ef8a62"></i>medium</span>
<span><i style="background:#f7d774"></i>low</span>
<span><i style="background:#92c5de"></i>none</span><span><i style="background:#e4e4e4"></i>no answer
yet</span></p>
<p class="muted">Outlines: Natural Earth 1:110m; small territories are in the table only.</p>
</section>
<aside>
<div id="detail"><h2>Details</h2>
<p class="muted">Pick a country on the map or in the table.</p></div>
<h3>Countries <span id="count" class="muted"></span></h3>
<div class="scroll"><table><thead><tr><th>country</th><th>exposure</th><th>duty</th>
<th>reason</th></tr></thead><tbody id="rows"></tbody></table></div>
</aside>
</main>
<script>{SCRIPT}</script>
</body></html>"""
