// `bushu demo`: the reference services, the bridge and simulated wearables in one process
// (demo/run.ts does the work; this file only passes the options on and reports errors).
import { DemoError } from '../demo/data-dir.ts';
import { runDemo } from '../demo/run.ts';

export interface DemoOptions {
  once?: boolean;
  json?: boolean;
  data: string;
  port: number;
  seed?: number;
}

export async function demoCommand(o: DemoOptions): Promise<void> {
  try {
    await runDemo({ dataDir: o.data, once: o.once === true, json: o.json === true, port: o.port, seed: o.seed });
  } catch (e) {
    if (!(e instanceof DemoError)) throw e; // a bug: keep the stack trace
    process.stderr.write(`bushu: demo: ${e.message}\n`);
    process.exitCode = 1;
  }
}
