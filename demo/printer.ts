// Console lines of the demo: one per device sync and one per award, stamped with the simulated
// local time. With --json they go to stderr, so stdout carries the JSON alone.

export type Line = (text: string) => void;

const fmt = (n: number) => n.toLocaleString('en-US');

export class Printer {
  constructor(
    private readonly line: Line,
    private readonly utcOffsetMin: number,
  ) {}

  say(text: string): void {
    this.line(text);
  }

  /** 'YYYY-MM-DD HH:MM' on the watches' local clock. */
  stamp(utcMs: number): string {
    return new Date(utcMs + this.utcOffsetMin * 60000).toISOString().slice(0, 16).replace('T', ' ');
  }

  sync(atMs: number, label: string, days: Array<{ date: string; steps: number; closed: boolean }>): void {
    const what = days.length === 0 ? 'nothing new' : days.map((d) => `${d.date} ${fmt(d.steps)}${d.closed ? '' : ' (open)'}`).join(', ');
    this.line(`${this.stamp(atMs)}  sync   ${label.padEnd(13)} ${days.length} day${days.length === 1 ? '' : 's'}: ${what}`);
  }

  award(atMs: number, a: { user: string; date: string; steps: number; amount: number }): void {
    this.line(`${this.stamp(atMs)}  award  ${a.user.padEnd(13)} ${a.date} ${fmt(a.steps)} steps: hongbao ¥${a.amount.toFixed(2)}`);
  }
}

