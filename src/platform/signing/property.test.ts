// verifyMessage never throws on any header or body, and never accepts what
// was not signed: random headers, and mutations of a correctly signed message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseSignatureHeader, verifyMessage } from './message.ts';
import type { HeaderSource } from './message.ts';
import { keys, now, request, signed } from './test-helpers.ts';

const headerName = fc.constantFrom('Client-Id', 'client-id', 'Request-Time', 'request-time', 'Signature', 'signature', 'get', 'X-Other');
const headerValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.constant(undefined),
  fc.stringMatching(/^algorithm=[A-Za-z0-9]{0,8}, keyVersion=[0-9-]{0,12}, signature=[A-Za-z0-9_=+/-]{0,100}$/),
  fc.stringMatching(/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{0,10})?(Z|[+-][0-9]{2}:[0-9]{2})?$/),
);
const body = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 256 }));

function verify(headers: HeaderSource, messageBody: string | Uint8Array = request.body) {
  return verifyMessage({ method: request.method, path: request.path, headers, body: messageBody, keys, now });
}

describe('verifyMessage on random input', () => {
  it('never throws and never accepts random headers', () => {
    fc.assert(
      fc.property(fc.dictionary(headerName, headerValue), body, (headers, messageBody) => {
        const result = verify(headers as HeaderSource, messageBody);
        assert.equal(result.ok, false);
      }),
      { numRuns: 2_000 },
    );
  });

  it('never throws on a Fetch Headers object with random values', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(headerName, fc.string()), { maxLength: 6 }), (entries) => {
        const headers = new Headers();
        for (const [name, value] of entries) {
          // Fetch refuses values with control characters itself; those never reach us.
          try {
            headers.append(name, value);
          } catch {
            return;
          }
        }
        assert.equal(verify(headers).ok, false);
      }),
      { numRuns: 1_000 },
    );
  });

  it('refuses every change to one header of a signed message, and every changed body', () => {
    const original = signed();
    const field = fc.constantFrom('Client-Id', 'Request-Time', 'Signature') satisfies fc.Arbitrary<keyof typeof original>;
    fc.assert(
      fc.property(field, fc.nat(), fc.string({ unit: 'binary', maxLength: 4 }), (name, at, insert) => {
        const value = original[name];
        const position = at % (value.length + 1);
        const mutated = value.slice(0, position) + insert + value.slice(position + (insert.length === 0 ? 1 : 0));
        fc.pre(mutated !== value);
        const result = verify({ ...original, [name]: mutated });
        if (!result.ok) return;
        // The Signature header's spacing is not signed; only a re-spelling
        // that parses to the very same fields may pass.
        assert.equal(name, 'Signature', `${name} ${JSON.stringify(mutated)} was accepted`);
        assert.deepEqual(parseSignatureHeader(mutated), parseSignatureHeader(value));
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(body, (messageBody) => {
        fc.pre(messageBody !== request.body);
        assert.equal(verify(original, messageBody).ok, false);
      }),
      { numRuns: 500 },
    );
  });
});
