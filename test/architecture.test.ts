/**
 * The module boundaries of STYLE 3 and DESIGN.md, checked on every run:
 * - across modules, only a module's `index.ts` is imported (platform, a set of
 *   independent utilities, excepted);
 * - the libraries (money, ledger, qr, platform) import no institution;
 * - an institution never imports another institution: they talk over HTTP.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';

const SRC = resolve(import.meta.dirname, '..', 'src');
// `web` is the console (DESIGN's `console`): like an institution, it reaches the others only over HTTP.
const INSTITUTIONS = new Set(['wallet', 'acquirer', 'network', 'mall', 'marketplace', 'customs', 'insights', 'console', 'shop', 'web']);
const LIBRARY_DEPENDENCIES: Record<string, readonly string[]> = {
  platform: [],
  money: ['platform'],
  ledger: ['platform', 'money'],
  qr: ['platform', 'money'],
  protocol: ['platform', 'money'],
  // The operator's command line; `dari simulate` runs the one-process deployment.
  cli: ['platform', 'money', 'ledger', 'qr', 'protocol', 'all-in-one', ...INSTITUTIONS],
  // The composition root of the one-process deployment wires the institutions together.
  'all-in-one': ['platform', 'money', 'ledger', 'qr', 'protocol', ...INSTITUTIONS],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function moduleOf(path: string): string {
  return relative(SRC, path).split(sep)[0]!;
}

/** Each relative import of the project's sources: the importing file and the imported one. */
function imports(): { from: string; to: string }[] {
  return sourceFiles(SRC).flatMap((from) => {
    const text = readFileSync(from, 'utf8');
    const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
    return specifiers.map((specifier) => ({ from, to: resolve(dirname(from), specifier) }));
  });
}

test('modules import one another only through index.ts', () => {
  const offending = imports().filter(({ from, to }) => {
    const [source, target] = [moduleOf(from), moduleOf(to)];
    if (source === target || target === 'platform' || !to.startsWith(SRC)) return false;
    return relative(join(SRC, target), to) !== 'index.ts';
  });
  assert.deepEqual(offending.map(({ from, to }) => `${relative(SRC, from)} → ${relative(SRC, to)}`), []);
});

test('libraries import no institution, and institutions import no other institution', () => {
  const offending = imports().filter(({ from, to }) => {
    const [source, target] = [moduleOf(from), moduleOf(to)];
    if (source === target || !to.startsWith(SRC)) return false;
    const allowed = LIBRARY_DEPENDENCIES[source];
    if (allowed !== undefined) return !allowed.includes(target);
    // An institution may use the libraries, never another institution.
    return INSTITUTIONS.has(target);
  });
  assert.deepEqual(offending.map(({ from, to }) => `${relative(SRC, from)} → ${relative(SRC, to)}`), []);
});
