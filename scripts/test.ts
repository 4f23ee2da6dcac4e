
// Runs every *.test.ts under src/ and test/ with Node's own test runner.
// Node 20's `--test` cannot glob, so the files are listed here. When no
// PostgreSQL URL is given, one throwaway PostgreSQL is started for the whole
// run (each test file still creates and drops its own database), so that a
// fresh clone proves the PostgreSQL engine without any server installed.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const filters = process.argv.slice(2);
const files = ['src', 'test']
  .flatMap((dir) => findTests(dir))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}

const { startTestPostgres } = await import('../src/platform/testing/postgres.ts');
const postgres = await startTestPostgres();
let status = 1;
try {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=2', ...files],
    { stdio: 'inherit', env: { ...process.env, DARI_TEST_POSTGRES_URL: postgres.url } },
  );
  status = result.status ?? 1;
} finally {
  await postgres.stop();
}
process.exit(status);
