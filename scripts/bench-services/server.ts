// A `bushu serve` for the benchmark, in its own process: the services on the given database, every
// statement counted, the clock fixed (so the pre-signed webhooks and the days stay in their windows).
// Tells its parent its URL, answers 'stats' with the statement counts, exits on 'stop'.
import { resolveConfig, type ConfigInput } from '../../services/config.ts';
import { logPayer, startServices } from '../../services/server.ts';
import { countingDb, openSpecDb, readSpec, type DbSpec } from './spec.ts';

const spec = readSpec<DbSpec & { config: ConfigInput; nowMs: number }>();
const raw = await openSpecDb(spec);
const { db, counts } = countingDb(raw);
const services = await startServices({ db, config: resolveConfig(spec.config), clock: () => spec.nowMs, payer: logPayer(() => undefined), onError: () => undefined });
process.on('message', async (m: string) => {
  if (m === 'reset') {
    counts.statements = 0;
    counts.transactions = 0;
    process.send!({ kind: 'reset' });
  } else if (m === 'stats') process.send!({ kind: 'stats', ...counts });
  else if (m === 'stop') {
    await services.close();
    await raw.close();
    process.exit(0);
  }
});
process.send!({ kind: 'ready', url: services.url });
