// The dashboard: fetches /api/users/:user/overview and draws it. Every piece of text goes in
// through textContent or createTextNode (never innerHTML), because user names come from outside.
const SVG = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);
const fmt = (n) => n.toLocaleString('en-US');

function el(tag, attrs = {}, text) {
  const e = tag === 'svg' || ['rect', 'line', 'text', 'title', 'g'].includes(tag) ? document.createElementNS(SVG, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}

function rows(table, list, cells, rowClass) {
  const body = $(table).querySelector('tbody');
  body.replaceChildren(...list.map((item) => {
    const tr = el('tr', rowClass ? { class: rowClass(item) } : {});
    for (const [text, cls] of cells(item)) tr.append(el('td', cls ? { class: cls } : {}, text));
    return tr;
  }));
}

async function getJson(url) {
  const res = await fetch(url);
  const body = await res.json();
  if (!res.ok) throw new Error(body.message || res.statusText);
  return body;
}

function drawDays(days, goal, selected, onPick) {
  const svg = $('days');
  const max = Math.max(goal, ...days.map((d) => d.steps));
  const w = 300 / days.length;
  const h = 110;
  const goalY = h - (goal / max) * h;
  const parts = [el('line', { class: 'goal', x1: 0, x2: 300, y1: goalY, y2: goalY })];
  days.forEach((d, i) => {
    const bh = Math.max(d.steps > 0 ? 1 : 0, (d.steps / max) * h);
    const cls = 'bar' + (d.steps >= goal ? ' goal' : '') + (d.date === selected ? ' selected' : '');
    const r = el('rect', { class: cls, x: i * w + 1, y: h - bh, width: w - 2, height: Math.max(bh, 0.01), 'data-date': d.date, 'data-steps': d.steps, tabindex: 0 });
    r.append(el('title', {}, `${d.date}: ${fmt(d.steps)} steps`));
    r.addEventListener('click', () => onPick(d.date));
    r.addEventListener('keydown', (e) => { if (e.key === 'Enter') onPick(d.date); });
    parts.push(r);
  });
  parts.push(el('text', { x: 0, y: 119 }, days[0]?.date ?? ''), el('text', { x: 300, y: 119, 'text-anchor': 'end' }, days.at(-1)?.date ?? ''));
  svg.replaceChildren(...parts);
}

async function showHours(user, date) {
  $('hours-date').textContent = date;
  const data = await getJson(`/api/users/${encodeURIComponent(user)}/hours?date=${encodeURIComponent(date)}`);
  const svg = $('hours');
  document.querySelectorAll('#days rect.bar').forEach((r) => r.classList.toggle('selected', r.dataset.date === date));
  if (!data.hours) {
    svg.replaceChildren();
    $('hours-note').textContent = data.device ? `${fmt(data.steps)} steps; this device reports no hours.` : 'No steps recorded.';
    return;
  }
  const max = Math.max(1, ...data.hours);
  const parts = data.hours.map((s, hr) => {
    const bh = (s / max) * 88;
    const r = el('rect', { class: 'hour', x: hr * 10 + 1, y: 88 - bh, width: 8, height: Math.max(bh, 0.01), 'data-hour': hr, 'data-steps': s });
    r.append(el('title', {}, `${String(hr).padStart(2, '0')}:00 ${fmt(s)} steps`));
    return r;
  });
  for (const hr of [0, 6, 12, 18]) parts.push(el('text', { x: hr * 10 + 1, y: 98 }, `${hr}h`));
  svg.replaceChildren(...parts);
  $('hours-note').textContent = `${fmt(data.steps)} steps, device ${data.device}`;
}

async function show(user) {
  $('error').hidden = true;
  const o = await getJson(`/api/users/${encodeURIComponent(user)}/overview`);
  $('today-date').textContent = o.today.date;
  $('today-steps').textContent = `${fmt(o.today.steps)} steps`;
  $('today-goal').textContent = `of ${fmt(o.today.goal)}`;
  const p = $('progress');
  p.max = o.today.goal;
  p.value = Math.min(o.today.steps, o.today.goal);
  p.textContent = `${Math.round(o.today.progress * 100)}%`;
  $('today-note').textContent = o.today.reached ? 'Goal reached: a hongbao is on its way once the day is signed.' : `${fmt(o.today.goal - o.today.steps)} steps to go (${Math.round(o.today.progress * 100)}%).`;
  drawDays(o.days, o.today.goal, o.today.date, (d) => showHours(user, d).catch(fail));
  const money = (fen) => `${(fen / 100).toFixed(2)} ${o.currency}`;
  rows('ledger', o.ledger, (e) => [[e.date], [fmt(e.steps), 'num'], [money(e.amountFen), 'num'], [e.payout.state]]);
  $('ledger-total').textContent = o.ledger.length ? `${o.ledger.length} hongbao, ${money(o.ledger.reduce((a, e) => a + e.amountFen, 0))}` : 'No hongbao yet.';
  rows('board', o.leaderboard, (r) => [[r.rank, 'num'], [r.name], [fmt(r.steps), 'num']], (r) => (r.self ? 'self' : ''));
  rows('devices', o.devices, (d) => [[d.id], [d.source ?? '–'], [d.lastSync ? new Date(d.lastSync).toLocaleString() : 'never']]);
  await showHours(user, o.today.date);
}

function fail(err) {
  $('error').textContent = `Could not load: ${err.message}`;
  $('error').hidden = false;
}

async function start() {
  // The first page of users (the admin's list is paged); a user asked for by ?user= joins it.
  const { users } = await getJson('/api/users');
  const pick = $('user');
  const wanted = new URLSearchParams(location.search).get('user');
  if (wanted && !users.some((u) => u.id === wanted)) users.unshift({ id: wanted, name: wanted });
  pick.replaceChildren(...users.map((u) => el('option', { value: u.id }, `${u.name} (${u.id})`)));
  if (wanted) pick.value = wanted;
  pick.addEventListener('change', () => {
    history.replaceState(null, '', `?user=${encodeURIComponent(pick.value)}`);
    show(pick.value).catch(fail);
  });
  if (users.length === 0) return fail(new Error('no users registered yet'));
  await show(pick.value);
  document.body.dataset.ready = 'true';
}

start().catch(fail);
