// Just enough of the Espruino REPL, in Node, to take an upload from the real espruino CLI: the
// console byte protocol and a vm sandbox with a fake Storage, clock and load(). The TCP stand-in
// runs one per connection; tests replay a recorded byte stream through a fresh one to see exactly
// what the device would have ended up with.
//
// Console bytes the CLI sends (from EspruinoTools core/codeWriter.js and core/utils.js):
//   0x10        at the start of a line: do not echo this line (nor print its result)
//   ESC LF      a newline inside a statement: keep reading, do not execute yet
//   ESC [ n d   "this is source line n" (for the debugger): ignored here
//   0x03        Ctrl-C: drop the line being typed
//   LF / CR     execute the line
import vm from 'node:vm';

export interface ConsoleEvents {
  setTime: number[];
  timeZone: number[];
  loads: (string | undefined)[];
  reboots: number;
  resets: number;
  errors: string[];
}

const MAX_NAME = 28;

class FakeStorage {
  readonly files = new Map<string, Buffer>();

  write(name: unknown, data: unknown, offset?: unknown, size?: unknown): boolean {
    const n = this.name(name);
    const bytes = Buffer.from(String(data), 'latin1');
    if (offset === undefined) {
      this.files.set(n, bytes);
      return true;
    }
    if (typeof offset !== 'number' || offset < 0) throw new Error('Storage.write: bad offset');
    if (size !== undefined) {
      // A size creates a new file of that size (erased flash reads 0xFF) to fill in chunk by chunk.
      if (typeof size !== 'number' || size < offset + bytes.length) throw new Error('Storage.write: bad size');
      this.files.set(n, Buffer.alloc(size, 0xff));
    }
    const file = this.files.get(n);
    if (!file) throw new Error(`Storage.write: ${n} does not exist, cannot write at offset ${offset}`);
    if (offset + bytes.length > file.length) throw new Error('Too much data for file size');
    bytes.copy(file, offset);
    return true;
  }

  read(name: unknown): string | undefined {
    return this.files.get(this.name(name))?.toString('latin1');
  }

  list(): string[] {
    return [...this.files.keys()];
  }

  erase(name: unknown): void {
    this.files.delete(this.name(name));
  }

  private name(name: unknown): string {
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME) {
      throw new Error(`Storage: invalid file name ${JSON.stringify(name)}`);
    }
    return name;
  }
}

export class EspruinoConsole {
  readonly storage = new FakeStorage();
  readonly events: ConsoleEvents = { setTime: [], timeZone: [], loads: [], reboots: 0, resets: 0, errors: [] };
  private line = '';
  private echoLine = true;
  private echoOn = true;
  private escape: '' | 'esc' | 'csi' = '';
  private clockOffset = 0;
  private readonly context: vm.Context;

  constructor(private readonly write: (text: string) => void = () => {}, env: Record<string, unknown> = {}) {
    const print = (...args: unknown[]) => this.write(args.map((a) => this.show(a)).join(' ') + '\r\n');
    const events = this.events;
    this.context = vm.createContext({
      print,
      console: { log: print },
      require: (m: string) => {
        if (m === 'Storage') return this.storage;
        throw new Error(`Module ${m} not found`);
      },
      atob: (s: string) => Buffer.from(String(s), 'base64').toString('latin1'),
      btoa: (s: string) => Buffer.from(String(s), 'latin1').toString('base64'),
      setTime: (t: number) => {
        events.setTime.push(t);
        this.clockOffset = t - Date.now() / 1000;
      },
      getTime: () => Date.now() / 1000 + this.clockOffset,
      load: (name?: string) => { events.loads.push(name); },
      reset: () => { events.resets++; },
      echo: (on: unknown) => { this.echoOn = !!on; },
      E: {
        setTimeZone: (h: number) => { events.timeZone.push(h); },
        reboot: () => { events.reboots++; },
      },
      process: { env: { VERSION: '2v25', CONSOLE: 'Telnet', MODULES: 'Flash,Storage,heatshrink', ...env } },
    });
  }

  /** Feeds bytes as received from the host. */
  feed(data: Buffer | string): void {
    const text = typeof data === 'string' ? data : data.toString('latin1');
    for (const ch of text) this.char(ch);
  }

  private char(ch: string): void {
    if (this.escape === 'esc') {
      this.escape = ch === '[' ? 'csi' : '';
      if (ch === '\n') this.line += '\n'; // ESC LF: newline without executing
      return;
    }
    if (this.escape === 'csi') {
      if (/[A-Za-z]/.test(ch)) this.escape = ''; // end of ESC [ ... d
      return;
    }
    switch (ch) {
      case '\x1b': this.escape = 'esc'; return;
      case '\x10': if (this.line === '') this.echoLine = false; return;
      case '\x03': this.line = ''; this.echoLine = true; this.write('\r\n>'); return;
      case '\r': case '\n': this.enter(); return;
      default:
        this.line += ch;
        if (this.echoLine && this.echoOn) this.write(ch);
    }
  }

  private enter(): void {
    const code = this.line;
    const echo = this.echoLine && this.echoOn;
    this.line = '';
    this.echoLine = true;
    if (echo) this.write('\r\n');
    if (code.trim() !== '') {
      try {
        const result: unknown = vm.runInContext(code, this.context, { timeout: 1000 });
        if (echo) this.write(`=${this.show(result)}\r\n`);
      } catch (e) {
        const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        this.events.errors.push(message);
        this.write(`Uncaught ${message}\r\n`);
      }
    }
    this.write('>');
  }

  private show(v: unknown): string {
    return typeof v === 'string' ? v : v === undefined ? 'undefined' : JSON.stringify(v) ?? String(v);
  }
}

/** What a device would hold after receiving `bytes`: Storage files and the clock calls. */
export function replay(bytes: Buffer): { files: Map<string, Buffer>; events: ConsoleEvents } {
  const c = new EspruinoConsole();
  c.feed(bytes);
  return { files: c.storage.files, events: c.events };
}
