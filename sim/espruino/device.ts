// What the device-side modules share: the vm context and its realm helpers, virtual time,
// the log, and the rule that a device callback never takes the simulator down.
import vm from 'node:vm';
import type { Scheduler } from './scheduler.ts';
import type { SimStorage } from './storage.ts';
import { functionVars } from './memory.ts';

export type Board = 'BANGLEJS2' | 'PUCKJS2';
type Fn = (...a: unknown[]) => unknown;

/** Built-ins Espruino lacks. Deleting the global Symbol is safe: V8 keeps the well-known symbols
 * internally, so for...of, spread and classes still work; only code naming Symbol fails. */
const STRIP = `(function () {
  var realm = {
    arr: function () { return []; },
    obj: function () { return {}; },
    u8: function (n) { return new Uint8Array(n); },
    err: function (type, msg) { return new (type === 'TypeError' ? TypeError : type === 'RangeError' ? RangeError : Error)(msg); },
    promise: function (f) { return new Promise(f); },
    parse: function (s) { return JSON.parse(s); }
  };
  ['Map','Set','WeakMap','WeakSet','WeakRef','FinalizationRegistry','Symbol','Proxy','Reflect','BigInt',
   'BigInt64Array','BigUint64Array','SharedArrayBuffer','Atomics'].forEach(function (k) { delete this[k]; }, this);
  delete Array.from; delete Array.of; delete Number.isInteger; delete Object.freeze;
  delete Math.trunc; delete Math.hypot; delete Math.imul; delete Math.fround;
  delete Array.prototype.flat; delete Array.prototype.flatMap; delete String.prototype.codePointAt;
  return realm;
})()`;

export interface Realm {
  arr(): unknown[];
  obj(): Record<string, unknown>;
  u8(n: number): Uint8Array;
  err(type: string, msg: string): Error;
  promise(f: (res: (v?: unknown) => void, rej: (e: unknown) => void) => void): Promise<unknown>;
  parse(s: string): unknown;
}

export class Device {
  readonly ctx: vm.Context;
  readonly realm: Realm;
  readonly builtins: Set<string>;
  pendingLoad: { name: string | undefined } | null = null;
  killHandlers: Fn[] = [];
  initHandlers: Fn[] = [];
  /** Device callbacks held by the simulator (listeners, watches): the memory estimate walks them. */
  readonly held: unknown[] = [];
  /** JsVars of the functions the code run so far defines (see memory.ts). */
  codeVars = 0;

  constructor(
    readonly board: Board,
    readonly sched: Scheduler,
    readonly storage: SimStorage,
    readonly log: string[],
    readonly errors: Error[],
    readonly tz: { minutes: number },
  ) {
    this.ctx = vm.createContext({});
    this.realm = vm.runInContext(STRIP, this.ctx, { filename: 'sim:strip' }) as Realm;
    this.builtins = new Set(Object.getOwnPropertyNames(this.ctx));
  }

  /** Runs source in the device (a file from Storage or the REPL). Errors propagate. */
  run(code: string, filename: string): unknown {
    this.codeVars += functionVars(code);
    return vm.runInContext(code, this.ctx, { filename });
  }

  /** Makes the names that are there now count as built-ins (not device-created) for memory(). */
  sealBuiltins(): void {
    for (const k of Object.getOwnPropertyNames(this.ctx)) this.builtins.add(k);
  }

  print(args: unknown[]): void {
    this.log.push(args.map(format).join(' '));
  }

  /** Espruino prints an uncaught exception and carries on. */
  report(e: unknown): void {
    const err = e !== null && typeof e === 'object' && 'message' in e ? (e as Error) : null;
    const host = new Error(err ? String(err.message) : String(e));
    host.name = err?.name ?? 'Error';
    if (err?.stack) host.stack = String(err.stack);
    this.errors.push(host);
    this.log.push(`Uncaught ${host.name}: ${host.message}`);
  }

  /** Calls a device callback, catching what it throws. */
  call(fn: unknown, self: unknown, args: unknown[]): unknown {
    if (typeof fn !== 'function') return undefined;
    try {
      return (fn as Fn).apply(self, args);
    } catch (e) {
      this.report(e);
      return undefined;
    }
  }

  /** An Error of the device's realm, so `e instanceof Error` holds in device code. */
  error(msg: string, type = 'Error'): Error {
    return this.realm.err(type, msg);
  }
  /** Copies a plain host value into the device realm. */
  toDevice<T>(v: T): T {
    return v === undefined ? v : (this.realm.parse(JSON.stringify(v)) as T);
  }
  bytes(b: Uint8Array): Uint8Array {
    const u = this.realm.u8(b.length);
    u.set(b);
    return u;
  }
}

export function format(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'function') return `function ${(v as Fn).name || ''}() {...}`;
  if (v === undefined || typeof v !== 'object' || v === null) return String(v);
  try {
    if (ArrayBuffer.isView(v)) return `new ${v.constructor.name}([${Array.prototype.join.call(v, ', ')}])`;
    if ('message' in v && 'name' in v) return `${(v as Error).name}: ${(v as Error).message}`;
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** A tiny EventEmitter for the device's objects; emit queues, as Espruino's does. */
export class Events {
  private handlers: Record<string, unknown[]> = {};
  constructor(private dev: Device) {}
  on(ev: string, fn: unknown): void {
    if (typeof fn !== 'function') throw this.dev.error(`on("${ev}"): expecting a function`, 'TypeError');
    (this.handlers[ev] ??= []).push(fn);
    this.dev.held.push(fn);
  }
  removeListener(ev: string, fn: unknown): void {
    const l = this.handlers[ev];
    const i = l ? l.indexOf(fn) : -1;
    if (i >= 0) l!.splice(i, 1);
  }
  removeAllListeners(ev?: string): void {
    if (ev === undefined) this.handlers = {};
    else delete this.handlers[ev];
  }
  count(ev: string): number {
    return this.handlers[ev]?.length ?? 0;
  }
  /** Runs the handlers now (the caller is already a task). */
  fire(ev: string, args: unknown[], self: unknown = undefined): void {
    for (const fn of (this.handlers[ev] ?? []).slice()) this.dev.call(fn, self, args);
  }
  /** Queues the event like Espruino's emit (at most 4 arguments are passed on). */
  emit(ev: string, args: unknown[], self: unknown = undefined): void {
    const a = args.slice(0, 4);
    this.dev.sched.queue(() => this.fire(ev, a, self));
  }
  /** Methods to put on a device object (on, removeListener, emit, ...). */
  methods(self: () => unknown): Record<string, Fn> {
    return {
      on: (ev, fn) => this.on(String(ev), fn),
      addListener: (ev, fn) => this.on(String(ev), fn),
      prependListener: (ev, fn) => this.on(String(ev), fn),
      removeListener: (ev, fn) => this.removeListener(String(ev), fn),
      removeAllListeners: (ev) => this.removeAllListeners(ev === undefined ? undefined : String(ev)),
      emit: (ev, ...args) => this.emit(String(ev), args, self()),
      listeners: (ev) => (this.handlers[String(ev)] ?? []).slice(),
    };
  }
}
