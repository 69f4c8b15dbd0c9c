// The layout's promise: product code (shared, firmware, bridge, services) never reaches into the
// simulator, the build scripts or the tests, and only cli/ and demo/ put the pieces together.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importViolations, violationsIn } from './kits/import-direction.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('import direction', () => {
  it('holds across the repository', () => {
    expect(importViolations(ROOT).map((v) => `${v.file} imports ${v.specifier} (${v.target}/)`)).toEqual([]);
  });

  it('reports a bridge file that imports the simulator, statically or lazily', () => {
    const text = "import { createFleet } from '../../sim/wearables/fleet.ts';\nconst m = await import('../../sim/signals.ts');";
    expect(violationsIn('bridge/pipeline/session.ts', text)).toEqual([
      { file: 'bridge/pipeline/session.ts', specifier: '../../sim/wearables/fleet.ts', target: 'sim' },
      { file: 'bridge/pipeline/session.ts', specifier: '../../sim/signals.ts', target: 'sim' },
    ]);
  });

  it('reports product code that imports build scripts or test code', () => {
    expect(violationsIn('services/server.ts', "export { x } from '../scripts/build-firmware.ts';").map((v) => v.target)).toEqual(['scripts']);
    expect(violationsIn('firmware/core/bushu.ts', "import '../../test/kits/services.ts';").map((v) => v.target)).toEqual(['test']);
    expect(violationsIn('shared/days.ts', "import { a } from '../bridge/log.ts';").map((v) => v.target)).toEqual(['bridge']);
  });

  it('lets cli reach the simulator only lazily', () => {
    expect(violationsIn('cli/run.ts', "import { Simulation } from '../sim/air.ts';").map((v) => v.target)).toEqual(['sim']);
    expect(violationsIn('cli/run.ts', "import type { Fleet } from '../sim/wearables/fleet.ts';").map((v) => v.target)).toEqual(['sim']);
    expect(violationsIn('cli/run.ts', "const sim = new (await import('../sim/air.ts')).Simulation(o);")).toEqual([]);
  });

  it('lets cli and demo import the pieces, and scripts and tests anything', () => {
    expect(violationsIn('cli/run.ts', "const { x } = await import('../sim/x.ts'); import '../services/server.ts';")).toEqual([]);
    expect(violationsIn('demo/run.ts', "import { SimWorld } from '../sim/wearables/world.ts';")).toEqual([]);
    expect(violationsIn('scripts/bench.ts', "import '../sim/x.ts';")).toEqual([]);
    expect(violationsIn('bridge/store/store.ts', "import { dayRecord } from '../../shared/record.ts';")).toEqual([]);
  });
});
