// Who walks in the demo: three friends, each with a Bangle.js 2, and one of them also wearing a
// Puck.js, so the leaderboard's max-of-devices rule shows. Device ids are fixed (they are BLE
// addresses, 12 hex digits); what varies with the seed is the walking and the keys.

export type Board = 'BANGLEJS2' | 'PUCKJS2';

export interface DemoDevice {
  id: string; // 12 lower-case hex digits, the protocol's device id
  user: string;
  board: Board;
  label: string; // for the console: "alice/bangle"
}

export const USERS = ['alice', 'bao', 'chen'] as const;

export const DEVICES: readonly DemoDevice[] = [
  { id: 'b05400000a01', user: 'alice', board: 'BANGLEJS2', label: 'alice/bangle' },
  { id: 'b05400000a02', user: 'alice', board: 'PUCKJS2', label: 'alice/puck' },
  { id: 'b05400000b01', user: 'bao', board: 'BANGLEJS2', label: 'bao/bangle' },
  { id: 'b05400000c01', user: 'chen', board: 'BANGLEJS2', label: 'chen/bangle' },
];

/** Every pair once: the three users are all friends with each other. */
export function friendships(): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < USERS.length; i++) for (let j = i + 1; j < USERS.length; j++) pairs.push([USERS[i], USERS[j]]);
  return pairs;
}
