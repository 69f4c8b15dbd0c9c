// The processes the fault harness started and that still run, so an interrupted harness
// (Ctrl-C, a timeout's SIGTERM) leaves no bridge child or `bushu serve` behind.
import type { ChildProcess } from 'node:child_process';

export const running = new Set<ChildProcess>();
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    for (const c of running) c.kill('SIGKILL');
    process.exit(130);
  });
export function track(c: ChildProcess): void {
  running.add(c);
  c.once('exit', () => running.delete(c));
}
