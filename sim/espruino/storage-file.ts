// Espruino's StorageFile (require("Storage").open): a text file kept as chunks named
// name+"\x01", name+"\x02", ... each pre-allocated with 0xFF and filled by appending, so appends
// never rewrite flash. 0xFF marks the end of the data, which is why data must never contain it:
// Espruino only documents that; the simulator throws, so firmware that does it fails in tests.
import { SimStorage, bytesToString, toBytes } from './storage.ts';

export class StorageFile {
  readonly name: string;
  private mode: string;
  private chunk = 1;
  private offset = 0; // write position in the current chunk
  private readPos = 0; // read position in the whole file's text

  constructor(
    private storage: SimStorage,
    name: string,
    mode: string,
  ) {
    // the chunk number takes the last of the 28 name bytes
    this.name = SimStorage.checkName(name, 27);
    if (mode !== 'r' && mode !== 'w' && mode !== 'a') throw new Error(`Invalid mode "${mode}" (use "r", "w" or "a")`);
    this.mode = mode;
    if (mode === 'w') this.erase(), (this.mode = 'w');
    if (mode === 'a') {
      // find the first chunk that is not full, and its end
      for (;;) {
        const data = storage.readBytes(this.chunkName(this.chunk));
        if (!data) break;
        const end = data.indexOf(0xff);
        if (end >= 0) {
          this.offset = end;
          break;
        }
        this.chunk++;
      }
    }
  }

  private chunkName(n: number): string {
    return this.name + String.fromCharCode(n);
  }

  /** The whole file's text (every chunk up to its first 0xFF). */
  private text(): string {
    let s = '';
    for (let n = 1; n < 256; n++) {
      const b = this.storage.readBytes(this.chunkName(n));
      if (!b) break;
      const end = b.indexOf(0xff);
      s += bytesToString(end < 0 ? b : b.subarray(0, end));
      if (end >= 0) break;
    }
    return s;
  }

  write(data: unknown): void {
    if (this.mode !== 'w' && this.mode !== 'a') throw new Error("Can't write in this mode");
    let bytes = toBytes(typeof data === 'string' ? data : String(data));
    if (bytes.indexOf(0xff) >= 0) throw new Error(`StorageFile "${this.name}": data contains the byte 0xFF, which marks the end of a file`);
    const size = this.storage.chunkSize;
    while (bytes.length > 0) {
      const name = this.chunkName(this.chunk);
      if (!this.storage.readBytes(name)) {
        this.storage.write(name, new Uint8Array(0), 0, size, true);
        this.offset = 0;
      }
      const n = Math.min(bytes.length, size - this.offset);
      this.storage.program(name, this.offset, bytes.subarray(0, n));
      this.offset += n;
      bytes = bytes.subarray(n);
      if (this.offset >= size) {
        if (this.chunk === 255) throw new Error('File too big!');
        this.chunk++;
        this.offset = 0;
      }
    }
  }

  read(len: number): string | undefined {
    const t = this.text();
    if (this.readPos >= t.length) return undefined;
    const s = t.slice(this.readPos, this.readPos + len);
    this.readPos += s.length;
    return s;
  }

  readLine(): string | undefined {
    const t = this.text();
    if (this.readPos >= t.length) return undefined;
    const nl = t.indexOf('\n', this.readPos);
    const end = nl < 0 ? t.length : nl + 1;
    const s = t.slice(this.readPos, end);
    this.readPos = end;
    return s;
  }

  getLength(): number {
    return this.text().length;
  }

  erase(): void {
    for (let n = 1; n < 256 && this.storage.readBytes(this.chunkName(n)); n++) this.storage.erase(this.chunkName(n));
    this.mode = '';
  }
}
