import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from './main.ts';

async function run(...argv: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await main(argv, (line) => lines.push(line));
  return { code, output: lines.join('\n') };
}

test('help lists the commands and exits 0; no command exits 2', async () => {
  const help = await run('help');
  assert.equal(help.code, 0);
  assert.match(help.output, /ledger verify/);
  assert.equal((await run()).code, 2);
});

test('an unknown command exits 2 and says which', async () => {
  const { code, output } = await run('nonsense');
  assert.equal(code, 2);
  assert.match(output, /unknown command "nonsense"/);
});
