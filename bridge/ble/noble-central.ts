// The one file that knows noble. Everything noble does is wrapped so that it cannot hang
// (each callback is raced against the link dropping and a timeout, see race.ts) and leaves no
// listener behind when a peripheral drops.
//
// noble is created with injected bindings when given (`new Noble(bindings)`, as noble's own
// with-bindings.js does): the simulator passes FakeBindings, so tests run the real noble state
// machine. Without bindings the platform's real bindings are loaded lazily here: importing
// '@abandonware/noble' opens an HCI socket at import time and throws EAFNOSUPPORT on a machine
// without Bluetooth, which must become a clear message, not a crash at startup.

import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { BehaviorSubject, Observable, ReplaySubject, filter, firstValueFrom, timeout } from 'rxjs';
import { AdapterError, adapterMessage, isMissingAdapter } from './adapter-state.ts';
import { normUuid } from '../../shared/protocol/index.ts';
import { BleError, deviceIdOf, type AdapterState, type Advertisement, type Central, type Gatt, type Link } from './central.ts';
import { DEFAULT_OP_TIMEOUT_MS, withTimeout } from './race.ts';

// The few parts of noble's objects used here (noble's own typings describe its default export,
// not lib/noble.js).
interface NobleChar extends EventEmitter {
  uuid: string;
  properties: string[];
  read(): void;
  write(data: Buffer, withoutResponse: boolean): void;
  notify(on: boolean): void;
}
interface NobleService {
  uuid: string;
}
interface NoblePeripheral extends EventEmitter {
  id: string;
  address: string;
  rssi: number;
  state: string;
  advertisement: { localName?: string; serviceUuids?: string[] };
  connect(): void;
  disconnect(): void;
  discoverAllServicesAndCharacteristics(cb: (err: unknown, services: NobleService[], chars: NobleChar[]) => void): void;
}
interface Noble extends EventEmitter {
  readonly state: string;
  startScanning(uuids: string[], allowDuplicates: boolean, cb?: (err: Error | null) => void): void;
  stopScanning(): void;
}

export interface NobleCentralOptions {
  /** Injected noble bindings (the simulator's FakeBindings); the platform's when absent. */
  bindings?: EventEmitter;
  opTimeoutMs?: number;
}

const requireCjs = createRequire(import.meta.url);

async function loadNoble(bindings: EventEmitter | undefined): Promise<Noble> {
  if (bindings !== undefined) {
    const NobleCtor = requireCjs('@abandonware/noble/lib/noble.js') as new (b: EventEmitter) => Noble;
    return new NobleCtor(bindings);
  }
  try {
    const mod = (await import('@abandonware/noble')) as unknown as { default: Noble };
    return mod.default;
  } catch (e) {
    if (isMissingAdapter(e)) throw new AdapterError('missing', adapterMessage('missing'));
    throw e;
  }
}

export async function createNobleCentral(options: NobleCentralOptions = {}): Promise<Central> {
  return new NobleCentral(await loadNoble(options.bindings), options.opTimeoutMs ?? DEFAULT_OP_TIMEOUT_MS);
}

/** Waits for `event` on `emitter` (optionally filtered); `cancel` removes the listener. */
function onceEvent<A extends unknown[]>(emitter: EventEmitter, event: string, accept: (...args: A) => boolean = () => true) {
  let handler: (...args: A) => void = () => {};
  const promise = new Promise<A>((resolve) => {
    handler = (...args: A) => {
      if (!accept(...args)) return;
      emitter.removeListener(event, handler as (...a: unknown[]) => void);
      resolve(args);
    };
    emitter.on(event, handler as (...a: unknown[]) => void);
  });
  return { promise, cancel: () => emitter.removeListener(event, handler as (...a: unknown[]) => void) };
}

class NobleCentral implements Central {
  readonly state$: BehaviorSubject<AdapterState>;
  private peripherals = new Map<string, NoblePeripheral>();
  private onState = (s: string) => this.state$.next(s as AdapterState);
  private onDiscover = (p: NoblePeripheral) => this.peripherals.set(p.id, p);

  constructor(
    private noble: Noble,
    private opTimeoutMs: number,
  ) {
    this.state$ = new BehaviorSubject<AdapterState>('unknown');
    noble.on('stateChange', this.onState); // also starts noble's lazy bindings init
    noble.on('discover', this.onDiscover);
  }

  async whenReady(timeoutMs = 5000): Promise<void> {
    const state = await firstValueFrom(this.state$.pipe(filter((s) => s !== 'unknown' && s !== 'resetting'), timeout({ first: timeoutMs, with: () => [this.state$.value] })));
    if (state !== 'poweredOn') throw new AdapterError(state, adapterMessage(state));
  }

  scan(serviceUuids: string[]): Observable<Advertisement> {
    const wanted = new Set(serviceUuids.map(normUuid));
    return new Observable<Advertisement>((sub) => {
      const handler = (p: NoblePeripheral) => {
        const uuids = (p.advertisement.serviceUuids ?? []).map(normUuid);
        if (wanted.size > 0 && !uuids.some((u) => wanted.has(u))) return;
        sub.next({ id: p.id, deviceId: deviceIdOf(p.address, p.id), name: p.advertisement.localName ?? '', serviceUuids: uuids, rssi: p.rssi });
      };
      let stopped = false;
      this.whenReady().then(() => {
        if (stopped) return;
        this.noble.on('discover', handler);
        // Duplicates allowed: a watch that drops and comes back must be seen again.
        this.noble.startScanning([...wanted], true, (err) => err && sub.error(err));
      }, (e: unknown) => sub.error(e));
      return () => {
        stopped = true;
        this.noble.removeListener('discover', handler);
        if (this.state$.value === 'poweredOn') this.noble.stopScanning();
      };
    });
  }

  async connect(id: string): Promise<Link> {
    const p = this.peripherals.get(id);
    if (p === undefined) throw new BleError('not-found', `connect: ${id} has not been seen in a scan`);
    const ev = onceEvent<[unknown]>(p, 'connect');
    p.connect();
    try {
      const [err] = await withTimeout(ev.promise, this.opTimeoutMs, undefined, `connect ${id}`);
      if (err) throw new BleError('gatt', `connect ${id}: ${String(err)}`);
    } catch (e) {
      ev.cancel();
      p.disconnect(); // cancels the pending connection in the bindings
      throw e;
    }
    return new NobleLink(p, this.opTimeoutMs);
  }

  async close(): Promise<void> {
    this.noble.removeListener('stateChange', this.onState);
    this.noble.removeListener('discover', this.onDiscover);
    if (this.state$.value === 'poweredOn') this.noble.stopScanning();
    this.state$.complete();
  }
}

class NobleLink implements Link {
  readonly id: string;
  readonly disconnected$ = new ReplaySubject<string>(1);
  private chars = new Map<string, NobleChar>();
  private cleanups = new Set<() => void>();
  private up = true;
  private onDisconnect = (reason: unknown) => {
    if (!this.up) return;
    this.up = false;
    this.p.removeListener('disconnect', this.onDisconnect);
    for (const c of this.cleanups) c();
    this.cleanups.clear();
    this.disconnected$.next(reason === undefined ? 'disconnected' : String(reason));
    this.disconnected$.complete();
  };

  constructor(
    private p: NoblePeripheral,
    private opTimeoutMs: number,
  ) {
    this.id = p.id;
    p.once('disconnect', this.onDisconnect);
  }

  get connected(): boolean {
    return this.up;
  }

  /** Runs an event-based noble operation raced against disconnect and timeout, then cleans up. */
  private async op<A extends unknown[]>(what: string, emitter: EventEmitter, event: string, start: () => void, accept?: (...a: A) => boolean): Promise<A> {
    if (!this.up) throw new BleError('disconnected', `${what}: not connected`);
    const ev = onceEvent<A>(emitter, event, accept);
    try {
      start();
      return await withTimeout(ev.promise, this.opTimeoutMs, this.disconnected$, `${what} on ${this.id}`);
    } finally {
      ev.cancel();
    }
  }

  async discover(): Promise<Gatt> {
    if (!this.up) throw new BleError('disconnected', 'discover: not connected');
    const found = new Promise<NobleChar[]>((resolve, reject) =>
      this.p.discoverAllServicesAndCharacteristics((err, _s, chars) => (err ? reject(new BleError('gatt', String(err))) : resolve(chars))),
    );
    // noble's discovery callback can never fire after a drop; its listeners are noble's own and
    // are reset by noble on the next discovery, so only the race matters here.
    const chars = await withTimeout(found, this.opTimeoutMs, this.disconnected$, `discover on ${this.id}`);
    const gatt: Gatt = new Map();
    for (const c of chars) {
      const svc = normUuid((c as unknown as { _serviceUuid: string })._serviceUuid);
      this.chars.set(svc + '/' + normUuid(c.uuid), c);
      if (!gatt.has(svc)) gatt.set(svc, []);
      gatt.get(svc)!.push({ uuid: normUuid(c.uuid), properties: c.properties });
    }
    return gatt;
  }

  private char(service: string, characteristic: string): NobleChar {
    const c = this.chars.get(normUuid(service) + '/' + normUuid(characteristic));
    if (c === undefined) throw new BleError('not-found', `${this.id} has no characteristic ${characteristic} in service ${service} (discover first)`);
    return c;
  }

  async read(service: string, characteristic: string): Promise<Uint8Array> {
    const c = this.char(service, characteristic);
    const [data] = await this.op<[Buffer, boolean]>(`read ${characteristic}`, c, 'data', () => c.read(), (_d, isNotification) => !isNotification);
    return new Uint8Array(data);
  }

  async write(service: string, characteristic: string, data: Uint8Array, withResponse = true): Promise<void> {
    const c = this.char(service, characteristic);
    await this.op(`write ${characteristic}`, c, 'write', () => c.write(Buffer.from(data), !withResponse));
  }

  async subscribe(service: string, characteristic: string): Promise<Observable<Uint8Array>> {
    const c = this.char(service, characteristic);
    await this.op(`subscribe ${characteristic}`, c, 'notify', () => c.notify(true));
    return new Observable<Uint8Array>((sub) => {
      const onData = (data: Buffer, isNotification: boolean) => isNotification && sub.next(new Uint8Array(data));
      c.on('data', onData);
      const drop = this.disconnected$.subscribe((r) => sub.error(new BleError('disconnected', `${characteristic} on ${this.id}: link dropped (${r})`)));
      const cleanup = () => c.removeListener('data', onData);
      this.cleanups.add(cleanup);
      return () => {
        cleanup();
        this.cleanups.delete(cleanup);
        drop.unsubscribe();
      };
    });
  }

  async disconnect(): Promise<void> {
    if (!this.up) return;
    const ev = onceEvent(this.p, 'disconnect');
    this.p.disconnect();
    try {
      await withTimeout(ev.promise, this.opTimeoutMs, undefined, `disconnect ${this.id}`);
    } catch {
      this.onDisconnect('local timeout'); // the stack never confirmed: treat it as gone anyway
    } finally {
      ev.cancel();
    }
  }
}
