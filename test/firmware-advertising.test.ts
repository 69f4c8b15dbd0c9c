// What the watches advertise, in EspruinoSim: the bushu service UUID in a packet of its own
// (beside the usual one with the name), the address in its manufacturer data for WeChat, and a
// bridge that scans for the UUID finds the watch and not a WeChat band beside it.
import { describe, expect, it } from 'vitest';
import { firstValueFrom, take, toArray } from 'rxjs';
import { createNobleCentral } from '../bridge/ble/noble-central.ts';
import { scanServices } from '../cli/scan.ts';
import { FakeBindings } from '../sim/wearables/fake-bindings.ts';
import { SimWorld } from '../sim/wearables/world.ts';
import { SimulatedWearable, firmwareFiles } from '../sim/wearables/simulated-wearable.ts';
import { SimulatedWeChatBand } from '../sim/wearables/counter-bands.ts';
import { simKey } from '../sim/wearables/fleet.ts';
import { parseAdvertisement } from '../sim/espruino/ble.ts';
import { NOBLE_UUID } from '../shared/protocol/index.ts';
import { bushuPacket } from '../firmware/core/advert.ts';
import { ADDRESS, bangle, puck } from './kits/firmware/harness.ts';

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const SERVICE = 'b57500017e4e4b8a9c2f5a1d3e6f0b01';
const MAC = ADDRESS.split(':').map((h) => parseInt(h, 16));

describe('advertising', () => {
  it('the bushu packet: flags, the service UUID, Espruino\'s company id and the address, in 31 bytes', () => {
    const p = bushuPacket(ADDRESS + ' public');
    expect(p).toHaveLength(31);
    expect(p.slice(0, 3)).toEqual([2, 1, 6]);
    const ad = parseAdvertisement(p);
    expect(ad.uuids).toEqual([SERVICE]);
    expect(ad.manufacturerData.map((m) => Array.from(m))).toEqual([[0x90, 0x05, ...MAC]]);
  });

  it.each([
    ['Bangle.js 2', bangle, 'Bangle.js'],
    ['Puck.js v2', puck, 'Puck.js'],
  ] as const)('%s advertises its name, the bushu UUID and 0xFEE7, and the address for WeChat', async (_, make, name) => {
    const sim = await make({ startTime: T0 });
    const a = sim.ble.advertising();
    expect(a.name.startsWith(name)).toBe(true);
    expect(a.serviceUuids).toEqual(expect.arrayContaining([SERVICE, 'fee7']));
    expect(a.manufacturerData?.map((m) => Array.from(m))).toEqual([[0x90, 0x05, ...MAC]]);
    expect(sim.errors).toEqual([]);
  });

  it('a Bangle whose "BLE name" setting is off keeps its name out of the advertising', async () => {
    const sim = await bangle({ startTime: T0 });
    sim.install({ 'setting.json': '{"blename":false}' });
    sim.load();
    expect((sim as unknown as { bleState: { advOptions: { showName?: boolean } } }).bleState.advOptions.showName).toBe(false);
    expect(sim.ble.advertising().serviceUuids).toContain(SERVICE);
  });
});

describe('scanning for the bushu UUID', () => {
  it('bushu scan --bushu filters at the adapter by the service UUID; plain scans take every advertisement', () => {
    expect(scanServices({ bushu: true })).toEqual([NOBLE_UUID.SERVICE]);
    expect(scanServices({})).toEqual([]);
  });

  it('finds the watch running the built firmware and never the WeChat band beside it', async () => {
    const fw = await firmwareFiles();
    const start = Date.UTC(2026, 10, 18);
    const world = new SimWorld(start, 0);
    const band = 'b0b0b0000001';
    const watch = 'c0ffee0000a2';
    world.add(band, new SimulatedWeChatBand({ deviceId: band, seed: 1, startUtcMs: start, offsetMin: 0 }));
    world.add(watch, new SimulatedWearable({ deviceId: watch, seed: 2, startUtcMs: start, offsetMin: 0, key: simKey(watch), firmware: fw }));
    world.advanceTo(start + 60_000);
    const central = await createNobleCentral({ bindings: new FakeBindings({ world }) });
    const everything = await firstValueFrom(central.scan(scanServices({})).pipe(take(4), toArray()));
    expect(new Set(everything.map((a) => a.deviceId))).toEqual(new Set([band, watch]));
    const ours = await firstValueFrom(central.scan(scanServices({ bushu: true })).pipe(take(3), toArray()));
    expect(ours.map((a) => a.deviceId)).toEqual([watch, watch, watch]);
    expect(ours[0].serviceUuids).toContain(SERVICE);
  });
});
