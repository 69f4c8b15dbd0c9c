// Virtual time for the simulator. Two clocks, as on Espruino: a monotonic one that timers and
// events run on, and the wall clock (getTime, Date) that setTime moves. Espruino's setTime
// shifts pending timers with the clock (jstSystemTimeChanged), so a timeout still fires after
// its delay; keeping timers on the monotonic clock gives the same result.

export interface Task {
  at: number; // monotonic ms
  seq: number; // insertion order breaks ties, so same-time tasks run first-in first-out
  run: () => void;
  interval?: number;
  id?: number; // timer id, for clearTimeout
}

export class Scheduler {
  mono = 0;
  wallOffset: number; // wall UTC ms = mono + wallOffset
  private tasks: Task[] = [];
  /**
   * Tasks appended in time order (accelerometer samples: a day's walking is tens of thousands):
   * a queue read from `head`, so neither queuing nor running one costs a splice of the other tasks.
   */
  private stream: Task[] = [];
  private head = 0;
  private seq = 0;
  private nextId = 1;
  /** Called after every task: the simulator performs a pending load() there. */
  afterTask: () => void = () => {};
  /** Called with what a task threw. */
  onError: (e: unknown) => void = () => {};

  constructor(startWallMs: number) {
    this.wallOffset = startWallMs;
  }

  now(): number {
    return this.mono + this.wallOffset;
  }
  setWall(ms: number): void {
    this.wallOffset = ms - this.mono;
  }

  private insert(t: Task): void {
    // binary search for the first task later than t (tasks stay sorted by at, then seq)
    let lo = 0;
    let hi = this.tasks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.tasks[mid];
      if (m.at < t.at || (m.at === t.at && m.seq < t.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.tasks.splice(lo, 0, t);
  }

  /** Queues a one-off task at a monotonic time (not before now). */
  at(mono: number, run: () => void): void {
    this.insert({ at: Math.max(mono, this.mono), seq: this.seq++, run });
  }
  /** As at(), for tasks that come in time order (samples): cheap however many are queued. */
  atInOrder(mono: number, run: () => void): void {
    const t = { at: Math.max(mono, this.mono), seq: this.seq++, run };
    const last = this.stream[this.stream.length - 1];
    if (last !== undefined && this.head < this.stream.length && t.at < last.at) this.insert(t);
    else this.stream.push(t);
  }

  /** Queues an event to run after the current task, as Espruino's emit does. */
  queue(run: () => void): void {
    this.at(this.mono, run);
  }

  timer(run: () => void, ms: number, repeat: boolean): number {
    if (typeof run !== 'function') throw new TypeError('setTimeout/setInterval: expecting a function');
    const delay = Math.max(0, Number(ms) || 0);
    const id = this.nextId++;
    this.insert({ at: this.mono + delay, seq: this.seq++, run, id, interval: repeat ? Math.max(delay, 1) : undefined });
    return id;
  }
  clear(id: unknown): void {
    if (id === undefined) {
      // Espruino: clearTimeout() with no argument clears every timer
      this.tasks = this.tasks.filter((t) => t.id === undefined);
      return;
    }
    this.tasks = this.tasks.filter((t) => t.id !== id);
  }
  /** Pending timers (not queued events). */
  timerCount(): number {
    return this.tasks.filter((t) => t.id !== undefined).length;
  }
  /** Forgets every task: the interpreter was reset. */
  reset(): void {
    this.tasks = [];
    this.stream = [];
    this.head = 0;
  }

  /** Runs every task due up to mono + ms, in time order, then sets the clock there. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance: ms must be a finite number >= 0, got ${ms}`);
    const end = this.mono + ms;
    this.runUntil(end);
    this.mono = end;
  }
  /** Runs tasks due now (queued events), without moving the clock. */
  drain(): void {
    this.runUntil(this.mono);
  }
  /** The earlier of the two queues' first tasks (by time, then queuing order), or undefined. */
  private takeNext(end: number): Task | undefined {
    const a = this.tasks[0];
    const b = this.head < this.stream.length ? this.stream[this.head] : undefined;
    const fromStream = b !== undefined && (a === undefined || b.at < a.at || (b.at === a.at && b.seq < a.seq));
    const t = fromStream ? b : a;
    if (t === undefined || t.at > end) return undefined;
    if (!fromStream) return this.tasks.shift();
    this.head++;
    if (this.head === this.stream.length) {
      this.stream = [];
      this.head = 0;
    } else if (this.head >= 4096) {
      this.stream = this.stream.slice(this.head);
      this.head = 0;
    }
    return t;
  }
  private runUntil(end: number): void {
    for (let t = this.takeNext(end); t !== undefined; t = this.takeNext(end)) {
      this.mono = Math.max(this.mono, t.at);
      if (t.interval !== undefined) this.insert({ ...t, at: t.at + t.interval, seq: this.seq++ });
      try {
        t.run();
      } catch (e) {
        this.onError(e);
      }
      this.afterTask();
    }
  }
}
