// noble's callbacks never fire when a peripheral drops during a discovery or a read: the
// promise would hang forever and the device's sync slot with it. So every operation is raced
// against the link dropping and a timeout, and whatever listener the race added is removed.

import type { Observable } from 'rxjs';
import { BleError } from './central.ts';

export const DEFAULT_OP_TIMEOUT_MS = 10_000;

/**
 * Settles with `op`, or rejects with BleError('disconnected') when `disconnected$` emits, or
 * BleError('timeout') after `ms`. `disconnected$` should replay (a link that already dropped
 * rejects at once). The timer and subscription are always released.
 */
export function withTimeout<T>(op: Promise<T>, ms: number, disconnected$: Observable<string> | undefined, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sub?.unsubscribe();
      f();
    };
    const timer = setTimeout(() => finish(() => reject(new BleError('timeout', `${what}: no answer within ${ms} ms`))), ms);
    // Subscribing may call back synchronously (a replayed disconnect), before `sub` is assigned:
    // `finish` copes because `done` guards it and the subscription is released just below.
    const sub = disconnected$?.subscribe((reason) => finish(() => reject(new BleError('disconnected', `${what}: link dropped (${reason})`))));
    if (done) sub?.unsubscribe();
    op.then(
      (v) => finish(() => resolve(v)),
      (e: unknown) => finish(() => reject(e instanceof BleError ? e : new BleError('gatt', `${what}: ${e instanceof Error ? e.message : String(e)}`))),
    );
  });
}
