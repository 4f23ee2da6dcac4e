/**
 * `npm start`: runs dari on the embedded database, with nothing to install.
 * For now it serves the health endpoint over the ledger; the institutions
 * (wallet, acquirer, network) mount here as they are built.
 */
import { serve } from '@hono/node-server';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLedger, openSqliteLedgerStore } from './ledger/index.ts';
import { readConfig } from './platform/config.ts';
import { createApp } from './platform/http/app.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const config = readConfig();
const ledgerPath = join(config.dataDir, 'ledger.db');
const ledger = await createLedger({ store: openSqliteLedgerStore(ledgerPath) });

const app = createApp({
  version,
  healthChecks: [
    {
      name: 'ledger',
      async check() {
        // A real read, so that a broken database file fails the check.
        await ledger.lookupAccounts(['health-check']);
        const { engine, lastTimestamp, callsQueued } = ledger.status();
        return { engine, database: ledgerPath, lastTimestamp: lastTimestamp.toString(), callsQueued };
      },
    },
  ],
});

const server = serve({ fetch: app.fetch, port: config.port, hostname: '127.0.0.1' }, (info) => {
  console.log(`dari ${version} is running at http://localhost:${info.port}`);
  console.log(`  health:        curl http://localhost:${info.port}/health`);
  console.log(`  ledger check:  npx dari ledger verify   (databases in ${config.dataDir})`);
});

async function shutDown(signal: string): Promise<void> {
  console.log(`${signal}: finishing what is under way, then stopping`);
  server.close();
  await ledger.close();
  process.exit(0);
}
process.once('SIGINT', () => void shutDown('SIGINT'));
process.once('SIGTERM', () => void shutDown('SIGTERM'));
