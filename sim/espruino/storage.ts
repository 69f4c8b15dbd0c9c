// Espruino's Storage on a simulated flash, mirroring src/jsflash.c (jsfWriteFile) of Espruino:
// - write(name, data) with offset 0 replaces the file: the old copy is only marked deleted, so
//   its space stays used until compact() (that is the flash wear of rewriting a file);
// - write(name, data, 0, size) pre-allocates `size` bytes of 0xFF; a later write at an offset
//   programs in place, but only into bytes that are all still 0xFF, otherwise Espruino throws
//   "File already written with different data" (it neither copies the file nor ANDs the bits);
// - names hold 28 bytes. Real Espruino silently TRUNCATES longer names (two long names can then
//   collide); the simulator throws instead, so firmware never ships such a name.
import { espruinoParse, espruinoStringify } from './espruino-json.ts';
import { StorageFile } from './storage-file.ts';

export const MAX_NAME = 28;
const HEADER = 32; // JsfFileHeader: 4-byte size+flags, 28-byte name
const PAGE = 4096;

export interface FlashStats {
  bytesProgrammed: number; // every byte written into flash, headers included
  pageErases: number; // 4 KB pages erased (by compaction)
  filesDeleted: number; // file copies marked deleted (rewrites and erases)
}
export interface StorageSnapshot {
  files: Array<{ name: string; data: string; sf: boolean }>;
}
interface FileEntry {
  data: Uint8Array;
  sf: boolean; // a StorageFile chunk
}
export type StorageData = string | ArrayBuffer | ArrayBufferView | number[] | object;

export function bytesToString(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode.apply(null, Array.from(b.subarray(i, i + 8192)));
  return s;
}

/** Converts what Espruino accepts as file data into bytes (strings keep the low 8 bits). */
export function toBytes(data: unknown): Uint8Array {
  if (typeof data === 'string') {
    const b = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) b[i] = data.charCodeAt(i) & 0xff;
    return b;
  }
  if (Object.prototype.toString.call(data) === '[object ArrayBuffer]') return new Uint8Array((data as ArrayBuffer).slice(0));
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  if (Array.isArray(data)) return Uint8Array.from(data, (x) => Number(x) & 0xff);
  if (typeof data === 'number' || typeof data === 'boolean') return toBytes(String(data));
  throw new TypeError(`Storage: can't write ${data === null ? 'null' : typeof data} as file data`);
}

export class SimStorage {
  readonly total: number;
  readonly chunkSize: number;
  readonly stats: FlashStats = { bytesProgrammed: 0, pageErases: 0, filesDeleted: 0 };
  private files = new Map<string, FileEntry>();
  private dead = 0; // bytes of deleted copies awaiting compact()

  constructor(opts: { bytes?: number; storageFileChunk?: number } = {}) {
    this.total = opts.bytes ?? 8 * 1024 * 1024;
    this.chunkSize = opts.storageFileChunk ?? (this.total > 1e6 ? PAGE * 10 - HEADER : PAGE - HEADER);
  }

  /** Throws on names Espruino can't store (see the header comment). */
  static checkName(name: unknown, max = MAX_NAME): string {
    if (typeof name !== 'string') throw new TypeError(`Storage: file name must be a string, got ${typeof name}`);
    if (name.length === 0) throw new Error('Storage: empty file name');
    if (name.length > max) throw new Error(`Storage: file name "${name}" is ${name.length} chars, max ${max} (Espruino would truncate it)`);
    return name;
  }

  private footprint(size: number): number {
    return HEADER + ((size + 3) & ~3);
  }
  private used(): number {
    let u = this.dead;
    for (const f of this.files.values()) u += this.footprint(f.data.length);
    return u;
  }
  private remove(name: string): void {
    const f = this.files.get(name);
    if (!f) return;
    this.files.delete(name);
    this.dead += this.footprint(f.data.length);
    this.stats.filesDeleted++;
  }
  private create(name: string, size: number, sf: boolean): FileEntry {
    if (this.used() + this.footprint(size) > this.total) this.compact();
    if (this.used() + this.footprint(size) > this.total) throw new Error(`Storage: not enough free space for "${name}" (${size} bytes)`);
    const f = { data: new Uint8Array(size).fill(0xff), sf };
    this.files.set(name, f);
    this.stats.bytesProgrammed += HEADER;
    return f;
  }

  /** jsfWriteFile: see the header comment. `sf` marks StorageFile chunks. */
  write(name: string, data: StorageData, offset = 0, size = 0, sf = false): boolean {
    SimStorage.checkName(name);
    let bytes: Uint8Array;
    if (data !== null && typeof data === 'object' && !Array.isArray(data) && !ArrayBuffer.isView(data) &&
      Object.prototype.toString.call(data) !== '[object ArrayBuffer]') {
      bytes = toBytes(JSON.stringify(data)); // Storage.write stringifies plain objects (standard JSON)
      offset = 0;
      size = 0;
    } else bytes = toBytes(data);
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(size) || size < 0) throw new RangeError('Storage.write: offset and size must be non-negative integers');
    if (size === 0) size = bytes.length;
    if (size === 0) throw new Error("Can't create zero length file");
    let f = this.files.get(name);
    if (offset === 0 && (!f || f.sf !== sf || f.data.length !== size || !f.data.every((b) => b === 0xff))) {
      if (f && f.sf === sf && f.data.length === size && bytes.length === size && f.data.every((b, i) => b === bytes[i])) return true;
      this.remove(name);
      f = this.create(name, size, sf);
    }
    if (!f) throw new Error(`Unable to find or create file "${name}" (writing at offset ${offset} needs an existing file)`);
    if (offset + bytes.length > f.data.length) throw new Error(`Too much data for file size ("${name}": ${offset}+${bytes.length} > ${f.data.length})`);
    for (let i = 0; i < bytes.length; i++) {
      if (f.data[offset + i] !== 0xff) throw new Error(`File already written with different data ("${name}" byte ${offset + i} is not erased)`);
    }
    f.data.set(bytes, offset);
    this.stats.bytesProgrammed += bytes.length;
    return true;
  }

  read(name: string, offset = 0, length?: number): string | undefined {
    const b = this.readBytes(name, offset, length);
    return b && bytesToString(b);
  }
  readBytes(name: string, offset = 0, length?: number): Uint8Array | undefined {
    SimStorage.checkName(name);
    const f = this.files.get(name);
    if (!f) return undefined;
    return f.data.slice(offset, length === undefined ? undefined : offset + length);
  }
  readArrayBuffer(name: string): ArrayBuffer | undefined {
    return this.readBytes(name)?.buffer as ArrayBuffer | undefined;
  }
  readJSON(name: string, noExceptions = false): unknown {
    const s = this.read(name);
    if (s === undefined) return undefined;
    try {
      return espruinoParse(s);
    } catch (e) {
      if (noExceptions) return undefined;
      throw new SyntaxError(`Storage.readJSON("${name}"): ${(e as Error).message}`);
    }
  }
  writeJSON(name: string, data: unknown): boolean {
    const s = espruinoStringify(data);
    if (s === undefined) throw new TypeError(`Storage.writeJSON("${name}"): nothing to write`);
    return this.write(name, s);
  }
  erase(name: string): void {
    SimStorage.checkName(name);
    this.remove(name);
  }
  /** Names in flash order; StorageFile chunks only with {sf:true} (then without the chunk byte). */
  list(regex?: RegExp, filter?: { sf?: boolean }): string[] {
    const out: string[] = [];
    for (const [name, f] of this.files) {
      if (filter?.sf !== undefined && filter.sf !== f.sf) continue;
      if (filter?.sf === undefined && f.sf) continue;
      if (f.sf && name.charCodeAt(name.length - 1) !== 1) continue;
      const shown = f.sf ? name.slice(0, -1) : name;
      if (regex) regex.lastIndex = 0;
      if (!regex || regex.test(shown)) out.push(shown);
    }
    return out;
  }
  getFree(): number {
    return this.total - this.used();
  }
  /** Rewrites live files to reclaim deleted copies: every used page is erased once. */
  compact(): void {
    if (this.dead === 0) return;
    this.stats.pageErases += Math.ceil(this.used() / PAGE);
    for (const f of this.files.values()) this.stats.bytesProgrammed += this.footprint(f.data.length);
    this.dead = 0;
  }
  open(name: string, mode: string): StorageFile {
    return new StorageFile(this, name, mode);
  }
  /**
   * The files whose names pass `keep`, as plain data (a harness saves a watch's flash to disk
   * and rebuilds the watch from it after its own process was killed).
   */
  snapshot(keep: (name: string) => boolean = () => true): StorageSnapshot {
    const files: StorageSnapshot['files'] = [];
    for (const [name, f] of this.files) if (keep(name)) files.push({ name, data: Buffer.from(f.data).toString('base64'), sf: f.sf });
    return { files };
  }
  /** Puts a snapshot's files back as they were (no flash rules: this is the same flash, reloaded). */
  restore(s: StorageSnapshot): void {
    for (const f of s.files) this.files.set(f.name, { data: new Uint8Array(Buffer.from(f.data, 'base64')), sf: f.sf });
  }
  /** Test hook: overwrite bytes as a failing flash or a torn write would (no flash rules). */
  corrupt(name: string, offset: number, bytes: ArrayLike<number>): void {
    const f = this.files.get(name);
    if (!f) throw new Error(`corrupt: no file "${name}"`);
    if (offset < 0 || offset + bytes.length > f.data.length) throw new RangeError(`corrupt: ${offset}+${bytes.length} outside "${name}" (${f.data.length} bytes)`);
    f.data.set(bytes, offset);
  }
  /** Internal for StorageFile: program bytes into a chunk's erased area. */
  program(name: string, offset: number, bytes: Uint8Array): void {
    this.write(name, bytes, offset, this.files.get(name)?.data.length ?? 0, true);
  }
}
