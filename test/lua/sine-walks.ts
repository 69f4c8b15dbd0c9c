// Small deterministic signals for comparing the Lua build with JavaScript. They need not look like
// real walking (sim/signals.ts does that); they need to drive every branch with awkward
// timing: sinusoidal arm swing with harmonics and noise, timestamp jitter, 200-400 ms gaps, 12.5 and
// 25 Hz, and stillness.

import type { Recording } from '../../shared/recording/recording.ts';
import { rng } from '../kits/prng.ts';

export interface SineWalk {
  seed: number;
  seconds: number;
  periodMs: number; // 80 (12.5 Hz) or 40 (25 Hz)
  swingHz: number; // arm swing, once per stride: 0.6 to 1.2 Hz
  amplitudeG: number; // 0 for stillness
  noiseG: number;
  gaps: number; // dropped polls of 200-400 ms
}

/** Gravity on a tilted wrist plus a swing with 2nd and 3rd harmonics, in raw counts (8192 = 1 g). */
export function sineWalk(s: SineWalk): Recording {
  const rand = rng(s.seed);
  const rec: Recording = { t: [], x: [], y: [], z: [] };
  const tilt = rand() * Math.PI;
  const gapAt = new Set<number>();
  const n = Math.floor((s.seconds * 1000) / s.periodMs);
  for (let k = 0; k < s.gaps; k++) gapAt.add(1 + Math.floor(rand() * (n - 2)));
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += gapAt.has(i) ? 200 + Math.floor(rand() * 201) : s.periodMs + Math.round((rand() - 0.5) * 8);
    const ph = 2 * Math.PI * s.swingHz * (t / 1000);
    const swing = s.amplitudeG * (Math.sin(ph) + 0.5 * Math.sin(2 * ph + 1) + 0.2 * Math.sin(3 * ph));
    const noise = () => (rand() - 0.5) * 2 * s.noiseG;
    rec.t.push(t);
    rec.x.push(Math.round(8192 * (Math.sin(tilt) + swing + noise())));
    rec.y.push(Math.round(8192 * (0.3 * swing + noise())));
    rec.z.push(Math.round(8192 * (Math.cos(tilt) - 0.5 * swing + noise())));
  }
  return rec;
}

/** A small set covering both rates, gaps, all swing speeds and stillness. */
export function sineWalks(): Array<{ name: string; rec: Recording }> {
  const base = { seconds: 60, periodMs: 80, noiseG: 0.01, gaps: 0 };
  return [
    { name: 'sine 0.6 Hz 0.1 g', rec: sineWalk({ ...base, seed: 1, swingHz: 0.6, amplitudeG: 0.1 }) },
    { name: 'sine 0.9 Hz 0.3 g, gaps', rec: sineWalk({ ...base, seed: 2, swingHz: 0.9, amplitudeG: 0.3, gaps: 6 }) },
    { name: 'sine 1.2 Hz 0.5 g, gaps', rec: sineWalk({ ...base, seed: 3, swingHz: 1.2, amplitudeG: 0.5, gaps: 4 }) },
    { name: 'sine 1.0 Hz 0.25 g at 25 Hz', rec: sineWalk({ ...base, seed: 4, periodMs: 40, swingHz: 1.0, amplitudeG: 0.25 }) },
    { name: 'stillness with noise', rec: sineWalk({ ...base, seed: 5, seconds: 30, swingHz: 1, amplitudeG: 0, noiseG: 0.02 }) },
  ];
}
