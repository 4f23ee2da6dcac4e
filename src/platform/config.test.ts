/**
 * Settings from the environment: the defaults, and DARI_DATABASE_URL moving
 * every institution to PostgreSQL, refused with its reason (and never its
 * password) when it cannot name the institutions' databases.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, DATABASE_URL_ENV, databaseBaseName, readConfig } from './config.ts';

describe('readConfig', () => {
  it('defaults to port 3000 and SQLite under ./data', () => {
    assert.deepEqual(readConfig({}), { dataDir: resolve('./data'), port: 3000, database: { engine: 'sqlite' } });
    assert.deepEqual(readConfig({ [DATABASE_URL_ENV]: '' }).database, { engine: 'sqlite' }, 'an empty variable is no variable');
  });

  it('moves every institution to PostgreSQL with DARI_DATABASE_URL', () => {
    for (const url of ['postgres://dari:secret@db.example:5432/dari', 'postgresql://dari@127.0.0.1/shop_2', 'postgres://dari@db.example']) {
      assert.deepEqual(readConfig({ [DATABASE_URL_ENV]: url }).database, { engine: 'postgres', url });
    }
    assert.equal(databaseBaseName(new URL('postgres://dari@db.example')), 'dari', 'no database named: the default base name');
    assert.equal(databaseBaseName(new URL('postgres://dari@db.example/payments')), 'payments');
  });

  const refused: readonly (readonly [string, RegExp])[] = [
    ['not a url', /is not a URL/],
    ['mysql://dari:secret@db.example/dari', /has the scheme mysql:/],
    ['postgres:///dari', /names no host/],
    ['postgres://dari:secret@db.example/Dari', /names the database "Dari"/],
    ['postgres://dari:secret@db.example/dari-prod', /names the database "dari-prod"/],
    [`postgres://dari:secret@db.example/${'d'.repeat(55)}`, /at most 54 characters/],
  ];
  for (const [url, reason] of refused) {
    it(`refuses ${url.replace('secret', '***')}`, () => {
      assert.throws(
        () => readConfig({ [DATABASE_URL_ENV]: url }),
        (error: unknown) => error instanceof ConfigError && reason.test(error.message) && !error.message.includes('secret'),
      );
    });
  }

  it('refuses a port that is not one', () => {
    assert.throws(() => readConfig({ PORT: '70000' }), ConfigError);
  });
});
