import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  businessRegistrationCheckDigit,
  formatBusinessRegistrationNumber,
  parseBusinessRegistrationNumber,
} from './business-registration-number.ts';

test('accepts valid numbers, with or without hyphens, and formats them 3-2-5', () => {
  for (const input of ['220-81-62517', '2208162517', '120-81-47521']) {
    const parsed = parseBusinessRegistrationNumber(input);
    assert.ok(parsed.ok, input);
    assert.match(formatBusinessRegistrationNumber(parsed.value), /^\d{3}-\d{2}-\d{5}$/);
  }
});

test('refuses malformed input and a wrong check digit, saying which digit is expected', () => {
  const malformed: unknown[] = ['', '220816251', '22081625170', '220 81 62517', '220-8162517x', 2208162517, null, '２２０８１６２５１７'];
  for (const input of malformed) {
    const parsed = parseBusinessRegistrationNumber(input);
    assert.ok(!parsed.ok && parsed.error.kind === 'invalid-format', String(input));
  }
  const wrong = parseBusinessRegistrationNumber('220-81-62518');
  assert.ok(!wrong.ok && wrong.error.kind === 'wrong-check-digit');
  assert.equal(wrong.error.kind === 'wrong-check-digit' && wrong.error.expectedCheckDigit, 7);
  assert.match(wrong.error.message, /should be 7/);
});

test('exactly one check digit fits any nine digits, and any single-digit typo in the last place is caught', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^\d{9}$/), (nine) => {
      const check = businessRegistrationCheckDigit(nine);
      const valid = Array.from({ length: 10 }, (_, d) => parseBusinessRegistrationNumber(`${nine}${d}`).ok);
      assert.deepEqual(
        valid.map((v, d) => (v ? d : -1)).filter((d) => d >= 0),
        [check],
      );
    }),
  );
});
