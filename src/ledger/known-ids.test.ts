import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FALSE_POSITIVE_RATE, KNOWN_IDS_FIRST_LAYER_IDS, KnownIds } from './known-ids.ts';

test('an id that was added is always reported (no false negatives), across layers', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ minLength: 1, maxLength: 64, unit: 'grapheme' }), { maxLength: 300 }), (ids) => {
      const known = new KnownIds();
      for (const id of ids) known.add(id);
      for (const id of ids) assert.equal(known.mightContain(id), true, id);
    }),
  );
  const known = new KnownIds();
  const count = KNOWN_IDS_FIRST_LAYER_IDS * 3 + 17; // spills into a second and a third layer
  for (let i = 0; i < count; i += 1) known.add(`pay-${i}`);
  for (let i = 0; i < count; i += 1) assert.equal(known.mightContain(`pay-${i}`), true);
});

test('ids never added are mostly reported absent, near the designed false-positive rate', () => {
  const known = new KnownIds();
  const added = KNOWN_IDS_FIRST_LAYER_IDS * 3;
  for (let i = 0; i < added; i += 1) known.add(`transfer-${i}`);
  let falsePositives = 0;
  const probes = 100_000;
  for (let i = 0; i < probes; i += 1) if (known.mightContain(`other-${i}`)) falsePositives += 1;
  // Two layers are consulted, each near 1%: allow up to 3x the design rate.
  assert.ok(falsePositives / probes < FALSE_POSITIVE_RATE * 3, `${falsePositives} false positives in ${probes}`);
  assert.equal(new KnownIds().mightContain('anything'), false);
});
