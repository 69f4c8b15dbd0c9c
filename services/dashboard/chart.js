// Small SVG bar charts with value axes, drawn with createElementNS and textContent only. A chart
// library (uPlot and the like) draws on a canvas: it would hide the numbers from screen readers
// and the bars from the browser test, for a page that needs only two bar charts.
const SVG = 'http://www.w3.org/2000/svg';

export function svgEl(tag, attrs = {}, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}

/** A round top for the axis and its step, at most four steps: 13,200 -> 15,000 by 5,000. */
export function axisSteps(max) {
  const raw = Math.max(1, max) / 4;
  const unit = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * unit).find((s) => s >= raw);
  return { top: Math.ceil(Math.max(1, max) / step) * step, step };
}

const LEFT = 30;
const TOP = 8;
const BOTTOM_SPACE = 18;
/** Closest two axis labels may come (viewBox units, about a line of chart text). */
const LABEL_GAP = 9;

/**
 * Bars (each `{value, cls, title, data}`) over labelled horizontal grid lines. With `pick`, each
 * bar sits in a full-height column that takes taps and Enter, so a day of 0 steps can be picked.
 * `marks` are extra labelled lines (the goal); `xLabels` are `{at, label}` with `at` in bars.
 */
export function drawBars(svg, { bars, marks = [], xLabels, number, pick }) {
  const { width, height } = svg.viewBox.baseVal;
  const bottom = height - BOTTOM_SPACE;
  const { top, step } = axisSteps(Math.max(...bars.map((b) => b.value), ...marks.map((m) => m.value)));
  const y = (v) => bottom - (v / top) * (bottom - TOP);
  const w = (width - LEFT) / bars.length;
  const parts = [];
  // Marks (the goal) are labelled on the axis too; a round value too close to one gives way.
  for (let v = 0; v <= top; v += step) {
    parts.push(svgEl('line', { class: 'grid', x1: LEFT, x2: width, y1: y(v), y2: y(v) }));
    if (marks.some((m) => Math.abs(y(m.value) - y(v)) < LABEL_GAP)) continue;
    parts.push(svgEl('text', { class: 'tick', x: LEFT - 3, y: y(v) + 3, 'text-anchor': 'end' }, number(v)));
  }
  for (const m of marks) {
    parts.push(svgEl('line', { class: `mark ${m.cls}`, x1: LEFT, x2: width, y1: y(m.value), y2: y(m.value) }));
    parts.push(svgEl('text', { class: `mark ${m.cls}`, x: LEFT - 3, y: y(m.value) + 3, 'text-anchor': 'end' }, m.label));
  }
  bars.forEach((b, i) => {
    const x = LEFT + i * w;
    const bh = b.value > 0 ? Math.max(1, (b.value / top) * (bottom - TOP)) : 0;
    const g = svgEl('g', { class: 'col' });
    if (pick) {
      Object.assign(g.dataset, b.data);
      g.setAttribute('tabindex', '0');
      g.setAttribute('role', 'button');
      g.setAttribute('aria-label', b.title);
      g.append(svgEl('rect', { class: 'hit', x, y: TOP, width: w, height: bottom - TOP }));
      g.addEventListener('click', () => pick(b));
      g.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') pick(b); });
    }
    const bar = svgEl('rect', { class: `bar ${b.cls}`, x: x + w * 0.1, y: bottom - bh, width: w * 0.8, height: bh });
    Object.assign(bar.dataset, b.data);
    g.append(bar, svgEl('title', {}, b.title));
    parts.push(g);
  });
  for (const l of xLabels) {
    const anchor = l.at <= 0 ? 'start' : l.at >= bars.length ? 'end' : 'middle';
    parts.push(svgEl('text', { class: 'tick', x: LEFT + l.at * w, y: height - 6, 'text-anchor': anchor }, l.label));
  }
  svg.replaceChildren(...parts);
}
