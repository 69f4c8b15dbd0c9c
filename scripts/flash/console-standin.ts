// A local TCP stand-in for an Espruino console (what the Linux build or an emulator bridge offers
// on tcp://host:port), good enough for the real espruino CLI to complete an upload. It records every
// byte it receives. Modes:
//   'repl'   echo, prompt and execute (see espruino-console.ts)
//   'silent' accept the connection and never answer
//   'chatty' never answer either, but print a log line every 50 ms, like a running program that
//            logs from an accelerometer handler: the espruino CLI waits for 500 ms of quiet
//            before it exits, so this is what makes it hang (and the time limit fire)
//
// Run by hand: npx tsx scripts/flash/console-standin.ts [port]  then
//              npm run flash -- --target puck --port tcp://localhost:PORT --no-build --dist DIR
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';
import { EspruinoConsole } from './espruino-console.ts';

export type Mode = 'repl' | 'silent' | 'chatty';

export interface StandinConnection {
  /** Every byte received, in order. */
  chunks: Buffer[];
  closed: boolean;
}

export class ConsoleStandin extends EventEmitter {
  readonly connections: StandinConnection[] = [];
  /** One device: its Storage and clock outlive a connection, as on real hardware. */
  readonly device = new EspruinoConsole((text) => {
    if (this.current && !this.current.destroyed) this.current.write(Buffer.from(text, 'latin1'));
  });
  private current: net.Socket | undefined;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  private constructor(readonly mode: Mode) {
    super();
    this.server = net.createServer((socket) => this.accept(socket));
  }

  static async start(mode: Mode = 'repl', port = 0): Promise<ConsoleStandin> {
    const s = new ConsoleStandin(mode);
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen(port, '127.0.0.1', () => resolve());
    });
    return s;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get url(): string {
    return `tcp://127.0.0.1:${this.port}`;
  }

  /** All bytes received over all connections, in connection order. */
  recording(): Buffer {
    return Buffer.concat(this.connections.flatMap((c) => c.chunks));
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    const conn: StandinConnection = { chunks: [], closed: false };
    this.connections.push(conn);
    this.emit('connection', conn);
    let n = 0;
    const chatter = this.mode === 'chatty' ? setInterval(() => socket.write(`steps ${++n}\r\n`), 50) : undefined;
    socket.on('data', (data) => {
      conn.chunks.push(Buffer.from(data));
      if (this.mode === 'repl') {
        this.current = socket;
        this.device.feed(data);
      }
      this.emit('data', conn, data);
    });
    socket.on('error', () => {}); // the client vanishing (killed on timeout) is normal here
    socket.on('close', () => {
      clearInterval(chatter);
      conn.closed = true;
      this.sockets.delete(socket);
      this.emit('close', conn);
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.argv[2] ?? 0);
  const standin = await ConsoleStandin.start('repl', port);
  console.log(`Espruino console stand-in on ${standin.url} (Ctrl-C to stop)`);
  standin.on('close', (conn: StandinConnection) => {
    const files = standin.device.storage.files;
    const received = conn.chunks.reduce((n, c) => n + c.length, 0);
    console.log(`connection closed after ${received} bytes; Storage now: ${[...files].map(([n, b]) => `${n} (${b.length} bytes)`).join(', ') || 'empty'}`);
    const { setTime } = standin.device.events;
    if (setTime.length) console.log(`last setTime(${setTime[setTime.length - 1]})`);
  });
}
