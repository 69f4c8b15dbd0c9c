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
  /**
   * A binary min-heap on (at, seq). A simulated day queues tens of thousands of accelerometer
   * samples; a sorted array (splice in, shift out) made that quadratic.
   */
  private tasks: Task[] = [];
  /** Timers not yet fired or cleared: clearTimeout only forgets the id, and a popped task whose id is gone is skipped. */
  private live = new Set<number>();
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

  private static before(a: Task, b: Task): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private insert(t: Task): void {
    const h = this.tasks;
    let i = h.push(t) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!Scheduler.before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): Task | undefined {
    const h = this.tasks;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && Scheduler.before(h[l], h[m])) m = l;
        if (r < h.length && Scheduler.before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }

  /** Queues a one-off task at a monotonic time (not before now). */
  at(mono: number, run: () => void): void {
    this.insert({ at: Math.max(mono, this.mono), seq: this.seq++, run });
  }
  /** Queues an event to run after the current task, as Espruino's emit does. */
  queue(run: () => void): void {
    this.at(this.mono, run);
  }

  timer(run: () => void, ms: number, repeat: boolean): number {
    if (typeof run !== 'function') throw new TypeError('setTimeout/setInterval: expecting a function');
    const delay = Math.max(0, Number(ms) || 0);
    const id = this.nextId++;
    this.live.add(id);
    this.insert({ at: this.mono + delay, seq: this.seq++, run, id, interval: repeat ? Math.max(delay, 1) : undefined });
    return id;
  }
  clear(id: unknown): void {
    // Espruino: clearTimeout() with no argument clears every timer
    if (id === undefined) this.live.clear();
    else this.live.delete(id as number);
  }
  /** Pending timers (not queued events). */
  timerCount(): number {
    return this.live.size;
  }
  /** Forgets every task: the interpreter was reset. */
  reset(): void {
    this.tasks = [];
    this.live.clear();
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
  private runUntil(end: number): void {
    while (this.tasks.length > 0 && this.tasks[0].at <= end) {
      const t = this.pop()!;
      if (t.id !== undefined && !this.live.has(t.id)) continue; // cleared
      this.mono = Math.max(this.mono, t.at);
      if (t.interval !== undefined) this.insert({ ...t, at: t.at + t.interval, seq: this.seq++ });
      else if (t.id !== undefined) this.live.delete(t.id);
      try {
        t.run();
      } catch (e) {
        this.onError(e);
      }
      this.afterTask();
    }
  }
}
