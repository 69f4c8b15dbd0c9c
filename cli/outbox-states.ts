// The states `bushu outbox --state` accepts, in their own module so that the command registry
// (cli/main.ts) can list them in the help without loading the outbox command and the store.
import type { OutboxState } from '../bridge/store/types.ts';

export const OUTBOX_STATES: OutboxState[] = ['pending', 'dead', 'delivered', 'superseded', 'dropped'];
