// DayInput builders for the bridge tests.
import type { DayInput } from '../../bridge/store/types.ts';

export const DEV_A = 'c0ffee000001';
export const DEV_B = 'c0ffee000002';

export function dayInput(over: Partial<DayInput> = {}): DayInput {
  return {
    device: DEV_A,
    date: '2026-11-20',
    utcOffsetMin: 480,
    steps: 1000,
    hours: null,
    notWornHours: [],
    closed: false,
    source: 'bushu',
    summary: null,
    firmware: '0.2.0',
    ...over,
  };
}
