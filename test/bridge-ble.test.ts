// The BLE layer: withTimeout, and real noble running on FakeBindings with a simulated watch.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Subject, firstValueFrom, take, toArray } from 'rxjs';
import { BleError, deviceIdOf } from '../bridge/ble/central.ts';
import { withTimeout } from '../bridge/ble/race.ts';
import { adapterMessage } from '../bridge/ble/adapter-state.ts';
import { createNobleCentral } from '../bridge/ble/noble-central.ts';
import { FakeBindings } from '../sim/wearables/fake-bindings.ts';
import { SimWorld } from '../sim/wearables/world.ts';
import { ProtoWatch } from '../sim/wearables/proto-watch.ts';
import { Shot } from '../sim/wearables/faults.ts';
import { NOBLE_UUID as N, decodeInfo, decodeHistoryFrame, encodeSendFrom } from '../shared/protocol/index.ts';

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);

describe('withTimeout', () => {
  afterEach(() => vi.useRealTimers());

  it('rejects with a timeout and releases the disconnect subscription', async () => {
    vi.useFakeTimers();
    const drop = new Subject<string>();
    const p = withTimeout(new Promise<number>(() => {}), 1000, drop, 'read');
    const caught = p.catch((e: BleError) => e);
    await vi.advanceTimersByTimeAsync(999);
    expect(drop.observed).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    const e = await caught;
    expect(e).toBeInstanceOf(BleError);
    expect((e as BleError).code).toBe('timeout');
    expect(drop.observed).toBe(false);
  });

  it('rejects as soon as the link drops, and clears its timer', async () => {
    vi.useFakeTimers();
    const drop = new Subject<string>();
    const p = withTimeout(new Promise<number>(() => {}), 1000, drop, 'discover').catch((e: BleError) => e.code);
    drop.next('gone');
    expect(await p).toBe('disconnected');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes the value through', async () => {
    expect(await withTimeout(Promise.resolve(7), 1000, new Subject<string>(), 'x')).toBe(7);
  });
});

describe('helpers', () => {
  it('reads a device id from an address', () => {
    expect(deviceIdOf('C0:FF:EE:00:00:01', 'x')).toBe('c0ffee000001');
    expect(deviceIdOf('c0:ff:ee:00:00:01 (public)', 'x')).toBe('c0ffee000001');
    expect(deviceIdOf(undefined, 'ABC123')).toBe('abc123');
  });
  it('explains adapter states with a fix', () => {
    expect(adapterMessage('unauthorized', 'linux')).toMatch(/setcap/);
    expect(adapterMessage('unauthorized', 'darwin')).toMatch(/Privacy/);
    expect(adapterMessage('missing')).toMatch(/--simulate/);
    expect(adapterMessage('poweredOff')).toMatch(/turned off/);
  });
});

function rig(faults = {}) {
  const world = new SimWorld(T0, 480);
  const watch = new ProtoWatch({ deviceId: 'c0ffee000001', startUtcMs: T0, offsetMin: 480 });
  world.add('c0ffee000001', watch);
  const bindings = new FakeBindings({ world, faults: { c0ffee000001: faults } });
  return { world, watch, bindings };
}

describe('real noble on FakeBindings', () => {
  it('scans, connects, discovers, reads, subscribes and writes', async () => {
    const { watch, bindings } = rig();
    watch.addSteps(1234);
    const central = await createNobleCentral({ bindings });
    await central.whenReady();
    const [ad] = await firstValueFrom(central.scan([N.SERVICE]).pipe(take(1), toArray()));
    expect(ad.deviceId).toBe('c0ffee000001');
    expect(ad.serviceUuids).toContain(N.SERVICE);
    const link = await central.connect(ad.id);
    const gatt = await link.discover();
    expect(gatt.get(N.SERVICE)!.map((c) => c.uuid)).toContain(N.HISTORY);
    const info = decodeInfo(await link.read(N.SERVICE, N.INFO));
    expect(info.ok && info.value.deviceId).toBe('c0ffee000001');
    const history = await link.subscribe(N.SERVICE, N.HISTORY);
    const frames = firstValueFrom(history.pipe(take(2), toArray()));
    await link.write(N.SERVICE, N.CONTROL, encodeSendFrom(1));
    const kinds = (await frames).map((f) => decodeHistoryFrame(f)).map((r) => (r.ok ? r.value.kind : r.error));
    expect(kinds).toEqual(['day', 'end']);
    await link.disconnect();
    expect(link.connected).toBe(false);
    await central.close();
    bindings.close();
  });

  it('a drop during discovery rejects the discovery instead of hanging', async () => {
    const { bindings } = rig({ dropDuringDiscovery: new Shot(1) });
    const central = await createNobleCentral({ bindings });
    const ad = await firstValueFrom(central.scan([N.SERVICE]));
    const link = await central.connect(ad.id);
    const e = await link.discover().catch((x: BleError) => x);
    expect((e as BleError).code).toBe('disconnected');
    await expect(link.read(N.SERVICE, N.INFO)).rejects.toThrow(BleError);
    await central.close();
    bindings.close();
  });

  it('a discovery that is never answered times out', async () => {
    const { bindings } = rig({ hangDuringDiscovery: new Shot(1) });
    const central = await createNobleCentral({ bindings, opTimeoutMs: 50 });
    const ad = await firstValueFrom(central.scan([N.SERVICE]));
    const link = await central.connect(ad.id);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const p = link.discover().catch((x: BleError) => x.code);
      await vi.advanceTimersByTimeAsync(60);
      expect(await p).toBe('timeout');
    } finally {
      vi.useRealTimers();
    }
    await link.disconnect();
    await central.close();
    bindings.close();
  });

  it('subscriptions error and drop their listeners when the watch reboots', async () => {
    const { watch, bindings } = rig();
    const central = await createNobleCentral({ bindings });
    const ad = await firstValueFrom(central.scan([N.SERVICE]));
    const link = await central.connect(ad.id);
    await link.discover();
    const history = await link.subscribe(N.SERVICE, N.HISTORY);
    const done = new Promise<string>((resolve) => history.subscribe({ error: (e: BleError) => resolve(e.code) }));
    watch.reboot();
    expect(await done).toBe('disconnected');
    expect(await firstValueFrom(link.disconnected$)).toMatch(/rebooted/);
    await central.close();
    bindings.close();
  });

  it('reports a powered-off adapter with how to fix it', async () => {
    const world = new SimWorld(T0, 0);
    const bindings = new FakeBindings({ world, state: 'poweredOff' });
    const central = await createNobleCentral({ bindings });
    await expect(central.whenReady()).rejects.toThrow(/turned off/);
    await central.close();
    bindings.close();
  });
});
