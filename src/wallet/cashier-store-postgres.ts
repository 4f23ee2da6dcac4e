/**
 * The cashier's PINs on PostgreSQL: the same `CashierStore`, with the same
 * answers, as the SQLite one in `cashier-store.ts`. The reservation is the
 * same single conditional UPDATE, which PostgreSQL re-checks against the
 * committed row after waiting for a concurrent one (READ COMMITTED), so
 * racing guesses are counted one by one.
 */
import { migratePostgres, POSTGRES_INTEGER_TYPES, type PostgresPool } from '../platform/db/postgres.ts';
import type { Migration } from '../platform/db/sqlite.ts';
import { RESERVE_SQL, toPin, type CashierStore, type PinRow } from './cashier-store.ts';

export const CASHIER_POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    module: 'wallet-cashier',
    version: 1,
    name: 'payment PINs',
    sql: `
CREATE TABLE wallet_cashier_pins (
  user_id TEXT COLLATE "C" PRIMARY KEY REFERENCES wallet_users (user_id),
  phone TEXT COLLATE "C" NOT NULL UNIQUE CHECK (char_length(phone) BETWEEN 6 AND 16),
  pin_hash BYTEA NOT NULL CHECK (octet_length(pin_hash) = 32),
  pin_salt BYTEA NOT NULL CHECK (octet_length(pin_salt) = 16),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  locked_until_ms BIGINT,
  updated_at_ms BIGINT NOT NULL
);
`,
  },
];

const RESERVE_POSTGRES_SQL = RESERVE_SQL.replaceAll(':now', '$1::bigint').replaceAll(':max', '$2::integer').replaceAll(':until', '$3::bigint').replaceAll(':user', '$4');

/** Creates the cashier's table if needed (the wallet's tables must exist: its foreign key), then the store; the caller owns the pool. */
export async function createPostgresCashierStore(pool: PostgresPool): Promise<CashierStore> {
  await migratePostgres(pool, CASHIER_POSTGRES_MIGRATIONS);
  const rows = async <R extends object>(sql: string, ...values: unknown[]): Promise<R[]> => (await pool.query<R>({ text: sql, values, types: POSTGRES_INTEGER_TYPES })).rows;
  return {
    async setPin(pin) {
      try {
        await pool.query(
          `INSERT INTO wallet_cashier_pins (user_id, phone, pin_hash, pin_salt, attempts, locked_until_ms, updated_at_ms) VALUES ($1, $2, $3, $4, 0, NULL, $5)
           ON CONFLICT (user_id) DO UPDATE SET phone = excluded.phone, pin_hash = excluded.pin_hash, pin_salt = excluded.pin_salt, attempts = 0, locked_until_ms = NULL, updated_at_ms = excluded.updated_at_ms`,
          [pin.userId, pin.phone, pin.hash, pin.salt, pin.atMs],
        );
        return 'set';
      } catch (error) {
        if (error instanceof Error && (error as { code?: unknown }).code === '23505') return 'phone-taken';
        throw error;
      }
    },
    async pinOfPhone(phone) {
      const [row] = await rows<PinRow>('SELECT * FROM wallet_cashier_pins WHERE phone = $1', phone);
      return row ? toPin(row) : null;
    },
    async hasPin(userId) {
      return (await rows('SELECT 1 FROM wallet_cashier_pins WHERE user_id = $1', userId)).length > 0;
    },
    async reservePinAttempt(userId, { atMs, attemptsMax, lockMs }) {
      const [row] = await rows<{ attempts: bigint }>(RESERVE_POSTGRES_SQL, atMs, attemptsMax, atMs + lockMs, userId);
      if (row !== undefined) return { kind: 'reserved', attempt: Number(row.attempts) };
      const [locked] = await rows<{ locked_until_ms: bigint | null }>('SELECT locked_until_ms FROM wallet_cashier_pins WHERE user_id = $1', userId);
      if (locked === undefined) throw new Error(`assertion failed: user ${userId} has a PIN`);
      return { kind: 'locked', untilMs: Number(locked.locked_until_ms ?? BigInt(atMs + lockMs)) };
    },
    async clearPinAttempts(userId) {
      await pool.query('UPDATE wallet_cashier_pins SET attempts = 0, locked_until_ms = NULL WHERE user_id = $1', [userId]);
    },
  };
}
