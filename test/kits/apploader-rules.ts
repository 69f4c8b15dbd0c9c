// The checks the Bangle.js App Loader applies to an app folder, restated from its sources
// (espruino/EspruinoAppLoaderCore js/appinfo.js, which builds what is installed, and
// espruino/BangleApps bin/sanitycheck.js, which every app in the store must pass), for the
// built dist/firmware/bangle. Written here, not run from there: tests may not read outside the
// repository. Each problem is one line; an empty list means the folder would be accepted.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'acorn';

const APP_KEYS = new Set(['id', 'name', 'shortName', 'version', 'icon', 'screenshots', 'description', 'tags', 'type', 'sortorder', 'readme', 'custom', 'customConnect', 'interface', 'storage', 'data', 'supports', 'allow_emulator', 'dependencies', 'provides_modules', 'provides_widgets', 'provides_features', 'default', 'author', 'requires_firmware']);
const STORAGE_KEYS = new Set(['name', 'url', 'content', 'evaluate', 'noOverwrite', 'supports']);
const DATA_KEYS = new Set(['name', 'wildcard', 'storageFile', 'url', 'content', 'evaluate']);
const DEVICES = new Set(['BANGLEJS', 'BANGLEJS2', 'BANGLEJS3', 'BANGLEJS3_COMPAT']);
const TYPES = new Set(['app', 'clock', 'widget', 'bootloader', 'RAM', 'launch', 'scheduler', 'notify', 'locale', 'settings', 'textinput', 'module', 'clkinfo', 'defaultconfig']);
/** Storage names end up comma-separated in <id>.info, and Storage takes at most 28 characters. */
const MAX_NAME = 28;
/** The launcher's icon: 48x48, or a little smaller. */
const ICON_MIN = 24;
const ICON_MAX = 48;

interface Entry {
  name?: string;
  url?: string;
  wildcard?: string;
  [k: string]: unknown;
}

/** Width and height of a PNG file, or undefined when it is not one. */
export function pngSize(b: Uint8Array): [number, number] | undefined {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (b.length < 24 || sig.some((v, i) => b[i] !== v)) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return [v.getUint32(16), v.getUint32(20)];
}

export function appLoaderProblems(dir: string): string[] {
  const out: string[] = [];
  const file = (name: string) => join(dir, name);
  const has = (name: string) => typeof name === 'string' && existsSync(file(name)) && statSync(file(name)).isFile();
  let app: Record<string, any>;
  try {
    app = JSON.parse(readFileSync(file('metadata.json'), 'utf8'));
  } catch (e) {
    return [`metadata.json: ${(e as Error).message}`];
  }
  const id = app.id;
  if (typeof id !== 'string' || id === '') return ['metadata.json has no id'];
  for (const k of Object.keys(app)) if (!APP_KEYS.has(k)) out.push(`unknown key ${k}`);
  for (const k of ['name', 'description', 'author', 'icon']) if (!app[k]) out.push(`no ${k}`);
  const isApp = !app.type || app.type === 'app';
  if (app.name && app.name.length > 20 && !app.shortName && isApp) out.push('a long name and no shortName');
  if (app.type !== undefined && !TYPES.has(app.type)) out.push(`type ${app.type} is not one the loader knows`);
  if (!Array.isArray(app.supports) || app.supports.length === 0) out.push('no supports list');
  else for (const d of app.supports) if (!DEVICES.has(d)) out.push(`unknown device ${d} in supports`);
  const tags: string[] = typeof app.tags === 'string' ? app.tags.split(',') : [];
  if (tags.length === 0) out.push('no tags');
  for (const t of tags) if (t !== t.trim() || t !== t.toLowerCase() || t === '') out.push(`tag "${t}" must be lower case, without spaces`);
  if ('allow_emulator' in app && typeof app.allow_emulator !== 'boolean') out.push('allow_emulator must be true or false');

  // Version and ChangeLog: the last "N.NN:" line of the ChangeLog is the version.
  if (typeof app.version !== 'string' || !/^\d+\.\d+$/.test(app.version)) out.push(`version ${JSON.stringify(app.version)} is not of the form 0.01`);
  if (!has('ChangeLog')) out.push('no ChangeLog');
  else {
    const versions = readFileSync(file('ChangeLog'), 'utf8').match(/\d+\.\d+:/g);
    const last = versions?.pop()?.slice(0, -1);
    if (last !== app.version) out.push(`ChangeLog's last version ${last} is not the app's ${app.version}`);
  }
  if (!app.readme) out.push('no readme');
  else if (!has(app.readme)) out.push(`readme ${app.readme} is not in the folder`);
  if (app.interface !== undefined && !has(app.interface)) out.push(`interface ${app.interface} is not in the folder`);
  if (!Array.isArray(app.screenshots) || app.screenshots.length === 0) out.push('no screenshots');
  else for (const s of app.screenshots) if (!has(s.url) || !pngSize(readFileSync(file(s.url)))) out.push(`screenshot ${s.url} is not a PNG in the folder`);
  if (app.icon) {
    const size = has(app.icon) ? pngSize(readFileSync(file(app.icon))) : undefined;
    if (!size) out.push(`icon ${app.icon} is not a PNG in the folder`);
    else if (size[0] !== 48 || size[1] !== 48) out.push(`icon ${app.icon} is ${size[0]}x${size[1]}, not 48x48`);
  }

  // Storage: what is uploaded. The loader writes <id>.info itself and rejects an app listing one.
  const storage: Entry[] = Array.isArray(app.storage) ? app.storage : [];
  if (storage.length === 0) out.push('no storage list');
  const names: string[] = [];
  for (const f of storage) {
    const n = f.name;
    if (typeof n !== 'string' || n === '') {
      out.push('a storage entry without a name');
      continue;
    }
    for (const k of Object.keys(f)) if (!STORAGE_KEYS.has(k)) out.push(`storage ${n} has unknown key ${k}`);
    if (n === id + '.info') out.push(`storage lists ${n}: the loader writes it itself ("App JSON file explicitly specified!")`);
    if (n.length > MAX_NAME) out.push(`storage name ${n} is longer than ${MAX_NAME}`);
    if (/[,;]/.test(n) || /[?*]/.test(n)) out.push(`storage name ${n} has a character the loader cannot take`);
    if (names.includes(n)) out.push(`storage ${n} is listed twice`);
    names.push(n);
    if (f.url === undefined && f.content === undefined) out.push(`storage ${n} has no contents`);
    if (f.url !== undefined && (!has(f.url) || statSync(file(f.url)).size === 0)) out.push(`storage ${n}: ${f.url} is not in the folder`);
    if (n.endsWith('.js') && f.url && has(f.url)) {
      const code = readFileSync(file(f.url), 'utf8');
      try {
        parse(code, { ecmaVersion: 2022 });
      } catch (e) {
        out.push(`storage ${n} is not valid JavaScript: ${(e as Error).message}`);
      }
      if (n.endsWith('.wid.js') && (code.includes('g.clear(') || code.includes('g.reset().clear()'))) out.push(`widget ${n} clears the whole screen`);
    }
  }
  if (isApp && !names.includes(id + '.app.js')) out.push(`no ${id}.app.js (the app's entry point)`);
  if (isApp && !names.includes(id + '.img')) out.push(`no ${id}.img (the launcher's icon)`);
  const img = storage.find((f) => f.name === id + '.img');
  if (img?.url && has(img.url)) {
    const b = readFileSync(file(img.url));
    if (b[0] < ICON_MIN || b[0] > ICON_MAX || b[1] < ICON_MIN || b[1] > ICON_MAX) out.push(`${id}.img is ${b[0]}x${b[1]}, not about 48x48`);
  }
  const data: Entry[] = Array.isArray(app.data) ? app.data : [];
  for (const d of data) {
    const n = d.name ?? d.wildcard;
    if (typeof n !== 'string') {
      out.push('a data entry without a name');
      continue;
    }
    for (const k of Object.keys(d)) if (!DATA_KEYS.has(k)) out.push(`data ${n} has unknown key ${k}`);
    if (n.length > MAX_NAME) out.push(`data name ${n} is longer than ${MAX_NAME}`);
    if (names.includes(n)) out.push(`data ${n} is also a storage file`);
  }
  return out;
}
