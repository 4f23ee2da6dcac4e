/**
 * `npm start`: the network, the wallet provider and the acquirer in one
 * process on the embedded database, nothing to install (or on PostgreSQL,
 * one database each, with `DARI_DATABASE_URL`: ADR 14). On the first start
 * over an empty data directory it seeds a demo and writes its credentials to
 * `$DARI_DATA_DIR/demo-credentials.json`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedDemo, startDari, writeDemoCredentials } from './all-in-one/index.ts';
import { readConfig } from './platform/config.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const config = readConfig();
const dari = await startDari({ dataDir: config.dataDir, port: config.port, version, database: config.database });

const credentialsPath = join(config.dataDir, 'demo-credentials.json');
if (dari.firstStart) {
  try {
    writeDemoCredentials(config.dataDir, await seedDemo(dari));
  } catch (error) {
    console.error(`seeding the demo failed; remove ${config.dataDir} and start again:`, error);
    await dari.close();
    process.exit(1);
  }
}

console.log(`dari ${version} is running at ${dari.url} (data in ${config.dataDir})`);
console.log(`  web console:  ${dari.url}/   (open it in a browser: wallet, merchant POS, acquirer, network)`);
// The demo's web shops (online checkout): buy, then pay at the wallet's cashier with a tourist's phone and PIN.
for (const shop of dari.shops) console.log(`  web shop:     ${dari.url}${shop.path}/   (${shop.name.en}: buy online, pay at the wallet's cashier with a tourist's phone and PIN)`);
console.log(`  marketplace:  curl '${dari.url}/marketplace/v1/products?lang=zh'   (the storefront: the mall's sellers' products, reviewed and listed in CNY)`);
console.log(`  health:       curl ${dari.url}/health`);
console.log(`  API docs:     curl ${dari.url}/openapi.json`);
if (existsSync(credentialsPath)) {
  console.log(`  demo keys:    ${credentialsPath}`);
  console.log(`  walk a story: npm run demo   (in another terminal)`);
}
if (config.database.engine === 'sqlite') console.log(`  ledgers:      npx dari ledger verify   (every institution's ledger in ${config.dataDir})`);
else console.log(`  ledgers:      npx dari ledger verify --postgres URL   (once per institution's database on PostgreSQL)`);

async function shutDown(signal: string): Promise<void> {
  console.log(`${signal}: finishing what is under way, then stopping`);
  await dari.close();
  process.exit(0);
}
process.once('SIGINT', () => void shutDown('SIGINT'));
process.once('SIGTERM', () => void shutDown('SIGTERM'));
