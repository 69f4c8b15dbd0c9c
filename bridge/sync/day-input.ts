// From protocol records to the store's DayInput. Several records of one date may arrive in one
// transfer (the open day is written again as it grows): the store applies them in order, so the
// newest wins, but they are folded here too so the progress and result counts mean "days".

import { toHex } from '../../shared/protocol/index.ts';
import { dateString } from '../../shared/days.ts';
import type { DayInput } from '../store/types.ts';
import type { Collected } from './history-collector.ts';

export function maskToHours(mask: number): number[] {
  const out: number[] = [];
  for (let h = 0; h < 24; h++) if ((mask >>> h) & 1) out.push(h);
  return out;
}

export function toDayInputs(device: string, firmware: string | null, records: Collected[]): DayInput[] {
  const byDate = new Map<string, DayInput>();
  for (const r of records) {
    const d = r.day;
    const date = dateString(d.day);
    byDate.delete(date); // re-insert, so the output stays in seq order of each date's newest record
    byDate.set(date, {
      device,
      date,
      utcOffsetMin: d.offsetMin,
      steps: d.steps,
      hours: d.hours.slice(),
      notWornHours: maskToHours(d.notWornMask),
      closed: d.closed,
      source: 'bushu',
      summary: r.summary ? { message: toHex(r.summary.message, 0, r.summary.message.length), tag: toHex(r.summary.tag, 0, r.summary.tag.length) } : null,
      firmware,
    });
  }
  return [...byDate.values()];
}
