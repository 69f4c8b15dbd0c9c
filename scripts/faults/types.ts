// What the fault orchestrator (trial.ts) and its bridge child (bridge-child.ts) share: the
// child's arguments, the faults the child injects itself, and the truth log's lines.

export interface WatchSpec {
  id: string;
  user: string;
  board: 'BANGLEJS2' | 'PUCKJS2';
  seed: number;
}

/** A fault the child applies when the world clock reaches `at` (world UTC ms). */
export type ChildFault =
  | { at: number; kind: 'link'; device: string; link: 'dropDuringDiscovery' | 'dropDuringHistory' | 'garbage' | 'duplicate' | 'reorder' | 'truncate'; after: number }
  | { at: number; kind: 'reboot' | 'wipe'; device: string }
  /** Another central writes the watch's time characteristics: Current Time and/or Local Time Information. */
  | { at: number; kind: 'stray'; device: string; currentTime: number[] | null; localTimeInfo: number[] | null };

export interface ChildArgs {
  dir: string;
  /** 8 bytes: the world's UTC ms (float64 LE), written by the child, read by the services' clock shim. */
  clockFile: string;
  servicesUrl: string;
  secrets: { reward: string; social: string };
  watches: WatchSpec[];
  /** World time when the trial starts (the child continues from the clock file when it holds more). */
  startMs: number;
  offsetMin: number;
  /** The child exits 0 once the world reaches this. */
  untilMs: number;
  /** The wearers stop walking here: the tail only lets days close and deliveries finish. */
  walkUntilMs: number;
  /** The bridge's clock minus the world's, for this run. */
  skewMs: number;
  faults: ChildFault[];
  firmwareDir: string;
}

/** One line of a watch's truth log (truth-<id>.jsonl): a closed day the watch wrote to flash. */
export interface TruthDay {
  kind: 'day';
  /** Local day number and its date. */
  day: number;
  date: string;
  seq: number;
  epoch: number;
  steps: number;
  signed: boolean;
  offsetMin: number;
  /** World time the record reached flash. */
  at: number;
  /** The watch's clock minus the world's then, and who last set it. */
  clockOffMs: number;
  clockSetBy: ClockSetBy;
}

/** Who last set a watch's clock: the bridge on a sync, another central, or nobody since flashing. */
export type ClockSetBy = 'bridge' | 'stray' | 'flash';

/** Days erased by a wipe before the watch saw them acknowledged: lost by the watch itself. */
export interface TruthWipe {
  kind: 'wipe';
  at: number;
  unacked: Array<{ day: number; date: string; seq: number; steps: number }>;
}

export type TruthLine = TruthDay | TruthWipe;
