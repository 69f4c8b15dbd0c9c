// Counting and printing the trust benchmark's results: per kind of day and per variant, the share
// caught (flagged or rejected) and which rules caught them.
import type { PlausibilityLimits } from '../../services/config.ts';
import type { DayNumbers, Finding } from '../../services/plausibility.ts';

export interface Share {
  days: number;
  caught: number;
  share: number;
  /** Days each rule fired on (a day can trip several). */
  byRule: Record<string, number>;
  /** Mean steps of these days, to say what kind of day they are. */
  meanSteps: number;
}

export interface KindSummary extends Share {
  variants: Record<string, Share>;
}

export interface TrustReport {
  days: number;
  seed: number;
  limits: PlausibilityLimits;
  goals: { shakerAtLeast: number; walkingAtMost: number };
  shaker: KindSummary;
  walking: KindSummary | null;
}

class Counter {
  days = 0;
  caught = 0;
  steps = 0;
  byRule: Record<string, number> = {};
  add(day: DayNumbers, findings: Finding[]): void {
    this.days++;
    this.steps += day.steps;
    if (findings.length > 0) this.caught++;
    for (const f of findings) this.byRule[f.rule] = (this.byRule[f.rule] ?? 0) + 1;
  }
  share(): Share {
    const share = this.days === 0 ? 0 : this.caught / this.days;
    return { days: this.days, caught: this.caught, share, byRule: this.byRule, meanSteps: this.days === 0 ? 0 : Math.round(this.steps / this.days) };
  }
}

export class Tally {
  private all = new Counter();
  private variants = new Map<string, Counter>();
  add(variant: string, day: DayNumbers, findings: Finding[]): void {
    this.all.add(day, findings);
    let c = this.variants.get(variant);
    if (c === undefined) this.variants.set(variant, (c = new Counter()));
    c.add(day, findings);
  }
  summary(): KindSummary {
    const variants: Record<string, Share> = {};
    for (const [name, c] of this.variants) variants[name] = c.share();
    return { ...this.all.share(), variants };
  }
}

const percent = (x: number): string => `${(x * 100).toFixed(1)}%`;

function rules(s: Share): string {
  const list = Object.entries(s.byRule).sort((a, b) => b[1] - a[1]);
  return list.length === 0 ? '-' : list.map(([rule, n]) => `${rule} ${n}`).join(', ');
}

/** variantVerdict: what to say beside each variant's share (shakers: whether the rules catch it). */
function section(title: string, kind: KindSummary, goal: string, met: boolean, variantVerdict: (s: Share) => string = () => ''): string {
  const lines = [`${title}: ${kind.caught} of ${kind.days} caught (${percent(kind.share)}; goal ${goal}: ${met ? 'met' : 'MISSED'})`];
  const width = Math.max(...Object.keys(kind.variants).map((v) => v.length));
  for (const [name, s] of Object.entries(kind.variants)) {
    lines.push(`  ${name.padEnd(width)}  ${String(s.caught).padStart(4)}/${String(s.days).padEnd(4)} ${percent(s.share).padStart(6)}  mean ${String(s.meanSteps).padStart(6)} steps  rules: ${rules(s)}${variantVerdict(s)}`);
  }
  return lines.join('\n');
}

export function formatReport(r: TrustReport): string {
  const out = [`trust benchmark: ${r.days} days of each kind, seed ${r.seed}, default limits ${JSON.stringify(r.limits)}`, ''];
  const slips = (s: Share): string => (s.share >= r.goals.shakerAtLeast ? '' : `  <- ${percent(1 - s.share)} slip through`);
  out.push(section('shaker days', r.shaker, `>= ${percent(r.goals.shakerAtLeast)}`, r.shaker.share >= r.goals.shakerAtLeast, slips));
  out.push('');
  if (r.walking === null) out.push('walking days: not measured (no recordings)');
  else out.push(section('walking days', r.walking, `<= ${percent(r.goals.walkingAtMost)}`, r.walking.share <= r.goals.walkingAtMost));
  return `${out.join('\n')}\n`;
}
