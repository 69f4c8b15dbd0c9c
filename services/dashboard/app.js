// The dashboard: fetches /api/users/:user/overview and draws it in the reader's language. Every
// piece of text goes in through textContent (never innerHTML), because user names come from
// outside. Times are shown in the user's own zone (their utcOffsetMin), whatever the browser's.
import { drawBars } from './chart.js';
import { pickLocale, translator } from './i18n.js';

const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);
const { lang, locale, htmlLang } = pickLocale(query.get('lang'), navigator.languages ?? [navigator.language]);
const t = translator(lang);
const number = new Intl.NumberFormat(locale);
const fmt = (n) => number.format(n);
const compact = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });
// Dates are calendar days, not instants: format them at UTC midnight so no zone shifts them.
const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
const shortDate = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const day = (date) => dateFormat.format(Date.parse(`${date}T00:00:00Z`));
const HONGBAO = ['paid', 'pending', 'open', 'unsigned', 'late', 'below'];

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}

/** An instant as the clock on the user's wall reads it, with the offset named: "Nov 21, 2026, 9:30 AM (UTC+8)". */
function userTime(iso, offsetMin) {
  const wall = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(Date.parse(iso) + offsetMin * 60_000);
  const abs = Math.abs(offsetMin);
  const zone = `UTC${offsetMin < 0 ? '−' : '+'}${Math.floor(abs / 60)}${abs % 60 ? ':' + String(abs % 60).padStart(2, '0') : ''}`;
  return `${wall} (${zone})`;
}

function rows(table, list, cells, rowClass) {
  $(table).querySelector('tbody').replaceChildren(...list.map((item) => {
    const tr = el('tr', rowClass ? { class: rowClass(item) } : {});
    for (const [text, cls] of cells(item)) tr.append(el('td', cls ? { class: cls } : {}, text));
    return tr;
  }));
}

async function getJson(url) {
  const res = await fetch(url);
  const body = await res.json();
  if (!res.ok) throw Object.assign(new Error(body.message || res.statusText), { status: res.status });
  return body;
}

function drawDays(o, onPick) {
  const bars = o.days.map((d) => {
    const notes = [t(`state.${d.hongbao}`), ...(d.flaggedSteps === null ? [] : [t('flaggedDay', { n: fmt(d.flaggedSteps) })])];
    const title = t('dayTitle', { date: day(d.date), steps: t('nSteps', { n: fmt(d.steps) }), notes: notes.join(t('listSeparator')) });
    return { value: d.steps, cls: d.hongbao, title, data: { date: d.date, steps: d.steps, hongbao: d.hongbao } };
  });
  const at = [0, 7, 14, 21, o.days.length - 1].filter((i) => i < o.days.length);
  drawBars($('days'), {
    bars,
    marks: [{ value: o.today.goal, cls: 'goal', label: compact.format(o.today.goal) }],
    xLabels: at.map((i) => ({ at: i === o.days.length - 1 ? o.days.length : i + 0.5, label: shortDate.format(Date.parse(`${o.days[i].date}T00:00:00Z`)) })),
    number: (v) => compact.format(v),
    pick: (b) => onPick(b.data.date),
  });
  const used = new Set(o.days.map((d) => d.hongbao));
  $('legend').replaceChildren(...HONGBAO.filter((s) => used.has(s)).map((s) => {
    const li = el('li', { 'data-state': s });
    li.append(el('span', { class: `swatch ${s}`, 'aria-hidden': 'true' }), document.createTextNode(t(`state.${s}`)));
    return li;
  }));
}

async function showHours(user, date) {
  $('hours-date').textContent = day(date);
  const data = await getJson(`/api/users/${encodeURIComponent(user)}/hours?date=${encodeURIComponent(date)}`);
  document.querySelectorAll('#days g.col').forEach((g) => g.classList.toggle('selected', g.dataset.date === date));
  const flagged = data.flagged ? ` ${t('flagged')}` : '';
  if (!data.hours) {
    $('hours').replaceChildren();
    $('hours').dataset.empty = 'true';
    $('hours-note').textContent = t(`hours.${data.noHours}`, { n: fmt(data.steps), source: t(`source.${data.source}`) }) + flagged;
    return;
  }
  delete $('hours').dataset.empty;
  drawBars($('hours'), {
    bars: data.hours.map((s, hr) => ({ value: s, cls: 'hour', title: `${String(hr).padStart(2, '0')}:00 ${t('nSteps', { n: fmt(s) })}`, data: { hour: hr, steps: s } })),
    xLabels: [0, 6, 12, 18, 24].map((h) => ({ at: h, label: t('hourTick', { h }) })),
    number: (v) => compact.format(v),
  });
  $('hours-note').textContent = t('hours.shown', { n: fmt(data.steps), device: data.device }) + flagged;
}

async function show(user) {
  $('error').hidden = true;
  const o = await getJson(`/api/users/${encodeURIComponent(user)}/overview`);
  $('today-date').textContent = day(o.today.date);
  $('today-steps').textContent = t('nSteps', { n: fmt(o.today.steps) });
  $('today-goal').textContent = t('ofGoal', { n: fmt(o.today.goal) });
  const p = $('progress');
  p.max = o.today.goal;
  p.value = Math.min(o.today.steps, o.today.goal);
  const percent = new Intl.NumberFormat(locale, { style: 'percent' }).format(o.today.progress);
  p.textContent = percent;
  $('today-note').textContent = o.today.reached ? t(`today.${o.today.hongbao}`) : t('toGo', { n: fmt(o.today.goal - o.today.steps), p: percent });
  drawDays(o, (d) => showHours(user, d).catch(fail));
  const money = (fen) => new Intl.NumberFormat(locale, { style: 'currency', currency: o.currency }).format(fen / 100);
  $('ledger').querySelector('tbody').replaceChildren(...o.ledger.flatMap((e) => {
    const tr = el('tr', { class: `payout-${e.payout.state}` });
    for (const [text, cls] of [[day(e.date)], [fmt(e.dayTotal), 'num'], [money(e.amountFen), 'num'], [t(`payout.${e.payout.state}`), 'state']]) tr.append(el('td', cls ? { class: cls } : {}, text));
    if (e.steps === e.dayTotal) return [tr];
    // The award keeps the steps of the record that earned it; the day's number may be higher.
    const note = el('tr', { class: 'note' });
    note.append(el('td', { colspan: 4 }, t('awardNote', { device: e.device, n: fmt(e.steps) })));
    return [tr, note];
  }));
  $('ledger-total').textContent = o.ledger.length ? t('ledgerTotal', { count: fmt(o.ledger.length), amount: money(o.ledger.reduce((a, e) => a + e.amountFen, 0)) }) : t('noLedger');
  rows('board', o.leaderboard, (r) => [[fmt(r.rank), 'num'], [r.name, 'name'], [fmt(r.steps), 'num']], (r) => (r.self ? 'self' : ''));
  const self = o.leaderboard.find((r) => r.self);
  $('board-note').textContent = self && self.steps !== o.today.steps ? t('boardDiffers', { n: fmt(self.steps) }) : '';
  rows('devices', o.devices, (d) => [[d.id], [d.source ? t(`source.${d.source}`) : '–'], [d.lastSync ? userTime(d.lastSync, o.user.utcOffsetMin) : t('never')]]);
  await showHours(user, o.today.date);
}

function fail(err) {
  // Reads need a session (the cookie a login link sets): without one, say how to get it.
  const signIn = err.status === 401;
  $('error-text').textContent = signIn ? t('signIn') : t('loadError', { msg: err.message });
  $('error-hint').textContent = signIn ? t('signInHint') : '';
  $('error').hidden = false;
  if (signIn) document.body.dataset.ready = 'signin';
}

async function start() {
  document.documentElement.lang = htmlLang;
  document.title = t('title');
  document.querySelectorAll('[data-i18n]').forEach((e) => { e.textContent = t(e.dataset.i18n); });
  $('days').setAttribute('aria-label', t('daysChart'));
  $('hours').setAttribute('aria-label', t('hoursChart'));
  // The first page of users (the admin's list is paged); a user asked for by ?user= joins it.
  const { users } = await getJson('/api/users');
  const pick = $('user');
  const wanted = query.get('user');
  if (wanted && !users.some((u) => u.id === wanted)) users.unshift({ id: wanted, name: wanted });
  pick.replaceChildren(...users.map((u) => el('option', { value: u.id }, `${u.name} (${u.id})`)));
  if (wanted) pick.value = wanted;
  pick.addEventListener('change', () => {
    query.set('user', pick.value);
    history.replaceState(null, '', `?${query}`);
    show(pick.value).catch(fail);
  });
  if (users.length === 0) {
    $('error-text').textContent = t('noUsers');
    $('error-hint').textContent = t('noUsersHint');
    $('error').hidden = false;
    document.body.dataset.ready = 'empty';
    return;
  }
  await show(pick.value);
  document.body.dataset.ready = 'true';
}

start().catch(fail);
