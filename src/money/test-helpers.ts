/** Assertions shared by the money tests. */
import assert from 'node:assert/strict';
import type { Result } from '../platform/result.ts';
import type { MoneyError, MoneyErrorKind } from './errors.ts';

/** Asserts a failed result of `kind` and returns its error for further checks. */
export function assertErr<T>(result: Result<T, MoneyError>, kind: MoneyErrorKind): MoneyError {
  if (result.ok) assert.fail(`expected a '${kind}' error, got ok ${String(result.value)}`);
  assert.equal(result.error.kind, kind, result.error.message);
  assert.ok(result.error.message.length > 0, 'every error has a message');
  return result.error;
}

/** Asserts a successful result and returns its value. */
export function assertOk<T>(result: Result<T, MoneyError>): T {
  if (!result.ok) assert.fail(`expected ok, got ${result.error.kind}: ${result.error.message}`);
  return result.value;
}
