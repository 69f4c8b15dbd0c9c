// Boot code. Bangle.js: BangleApps' bootloader (apps/boot/bootupdate.js) concatenates every
// *.boot.js into .boot0, numbered ones ("x.5.boot.js") first by number, the rest by name; before
// them it declares bleServices={} and bleServiceOptions={uart:true}, and after them it ALWAYS
// calls NRF.setServices(bleServices, bleServiceOptions) and deletes both globals. It runs on
// every load(), not only at power-on. Puck.js: .boot0-.boot3 then .bootcde.
import type { Device } from './device.ts';

export function bootFileOrder(names: string[]): string[] {
  const prio = (n: string) => /\.(\d+)\.boot\.js$/.exec(n);
  return names.slice().sort((a, b) => {
    const pa = prio(a), pb = prio(b);
    if (pa && pb) return Number(pa[1]) - Number(pb[1]);
    if (pa) return -1;
    if (pb) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

export function runBoot(dev: Device, files: string[]): void {
  const g = dev.ctx as Record<string, unknown>;
  const bangle = dev.board === 'BANGLEJS2';
  if (bangle) {
    g.bleServices = dev.realm.obj();
    const opts = dev.realm.obj();
    opts.uart = true;
    g.bleServiceOptions = opts;
  }
  for (const name of files) {
    const code = dev.storage.read(name);
    if (code === undefined) continue;
    try {
      dev.run(code, name);
    } catch (e) {
      dev.report(e);
    }
  }
  if (bangle) {
    try {
      (g.NRF as { setServices: (a: unknown, b: unknown) => void }).setServices(g.bleServices, g.bleServiceOptions);
    } catch (e) {
      dev.report(e);
    }
    delete g.bleServices;
    delete g.bleServiceOptions;
  }
}
