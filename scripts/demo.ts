/**
 * `npm run demo`: walks one story against the running dari (`npm start` in
 * another terminal) and prints each step with the balances on all three
 * sides. Reads the credentials the first start wrote.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatStep, walkStory, type DemoCredentials } from '../src/all-in-one/index.ts';
import { readConfig } from '../src/platform/config.ts';

const path = join(readConfig().dataDir, 'demo-credentials.json');
if (!existsSync(path)) {
  console.error(`no ${path}: start dari first (npm start) and run the demo from the same folder, or set DARI_DATA_DIR`);
  process.exit(2);
}
const credentials = JSON.parse(readFileSync(path, 'utf8')) as DemoCredentials;
try {
  await walkStory(credentials, (step) => console.log(`${formatStep(step)}\n`));
} catch (error) {
  const reason = error instanceof Error ? error.message : String(error);
  console.error(`the demo stopped: ${reason}`);
  if (/fetch failed|ECONNREFUSED/.test(reason)) console.error(`is dari running at ${credentials.baseUrl}? (npm start)`);
  process.exit(1);
}
