/**
 * The cashier's table in `wallet.db`: each user's payment PIN, hashed with
 * scrypt (`cashier-pin.ts`), the phone it signs in with, and the count of
 * attempts since the last right one. A module of its own (`wallet-cashier`)
 * beside the wallet's tables; `cashier-store-postgres.ts` is the same on
 * PostgreSQL (`cashier-store.contract.test.ts` runs one suite on both).
 *
 * Attempts are reserved before the PIN is checked, in one conditional
 * statement, so that racing guesses cannot together exceed the limit: a
 * reservation is refused once `attemptsMax` are counted or while locked.
 */
import { migrateSqlite, prepareCached, type Migration, type SqliteDatabase } from '../platform/db/sqlite.ts';
import type { UserId } from './types.ts';

export interface StoredPin {
  readonly userId: UserId;
  readonly phone: string;
  readonly hash: Buffer;
  readonly salt: Buffer;
}

/** What a reservation says: go ahead with attempt `attempt`, or locked until then. */
export type PinReservation = { readonly kind: 'reserved'; readonly attempt: number } | { readonly kind: 'locked'; readonly untilMs: number };

export interface CashierStore {
  /** Sets (or replaces) the user's PIN and the phone it signs in with, clearing attempts; refuses a phone another user's PIN has. */
  setPin(pin: StoredPin & { readonly atMs: number }): Promise<'set' | 'phone-taken'>;
  pinOfPhone(phone: string): Promise<StoredPin | null>;
  hasPin(userId: UserId): Promise<boolean>;
  /**
   * Counts one attempt unless `attemptsMax` are counted already or the PIN is
   * locked at `atMs`; a lock that has passed starts the count afresh.
   */
  reservePinAttempt(userId: UserId, input: { readonly atMs: number; readonly attemptsMax: number; readonly lockMs: number }): Promise<PinReservation>;
  /** The PIN was right: the count starts again. */
  clearPinAttempts(userId: UserId): Promise<void>;
}

export const CASHIER_MIGRATIONS: readonly Migration[] = [
  {
    module: 'wallet-cashier',
    version: 1,
    name: 'payment PINs',
    sql: `
CREATE TABLE wallet_cashier_pins (
  user_id TEXT PRIMARY KEY REFERENCES wallet_users (user_id),
  phone TEXT NOT NULL UNIQUE CHECK (length(phone) BETWEEN 6 AND 16),
  pin_hash BLOB NOT NULL CHECK (length(pin_hash) = 32),
  pin_salt BLOB NOT NULL CHECK (length(pin_salt) = 16),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  locked_until_ms INTEGER,
  updated_at_ms INTEGER NOT NULL
);
`,
  },
];

export interface PinRow {
  user_id: string;
  phone: string;
  pin_hash: Buffer | Uint8Array;
  pin_salt: Buffer | Uint8Array;
}

export function toPin(row: PinRow): StoredPin {
  return { userId: row.user_id as UserId, phone: row.phone, hash: Buffer.from(row.pin_hash), salt: Buffer.from(row.pin_salt) };
}

/**
 * The reservation, one statement on both engines: a lock that has passed
 * resets the count to this attempt; otherwise the count grows while under the
 * limit, and reaching the limit sets the lock (which the next reservation
 * meets). Placeholders: now, lock until, now, limit, limit, user.
 */
export const RESERVE_SQL = `UPDATE wallet_cashier_pins SET
    attempts = CASE WHEN locked_until_ms IS NOT NULL AND locked_until_ms <= :now THEN 1 ELSE attempts + 1 END,
    locked_until_ms = CASE WHEN (CASE WHEN locked_until_ms IS NOT NULL AND locked_until_ms <= :now THEN 1 ELSE attempts + 1 END) >= :max THEN :until ELSE NULL END
  WHERE user_id = :user AND ((locked_until_ms IS NULL AND attempts < :max) OR locked_until_ms <= :now)
  RETURNING attempts`;

export function createSqliteCashierStore(db: SqliteDatabase): CashierStore {
  migrateSqlite(db, CASHIER_MIGRATIONS);
  return {
    async setPin(pin) {
      try {
        prepareCached(
          db,
          `INSERT INTO wallet_cashier_pins (user_id, phone, pin_hash, pin_salt, attempts, locked_until_ms, updated_at_ms) VALUES (?, ?, ?, ?, 0, NULL, ?)
           ON CONFLICT (user_id) DO UPDATE SET phone = excluded.phone, pin_hash = excluded.pin_hash, pin_salt = excluded.pin_salt, attempts = 0, locked_until_ms = NULL, updated_at_ms = excluded.updated_at_ms`,
        ).run(pin.userId, pin.phone, pin.hash, pin.salt, pin.atMs);
        return 'set';
      } catch (error) {
        if (error instanceof Error && (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') return 'phone-taken';
        throw error;
      }
    },
    async pinOfPhone(phone) {
      const row = prepareCached(db, 'SELECT * FROM wallet_cashier_pins WHERE phone = ?').get(phone) as PinRow | undefined;
      return row ? toPin(row) : null;
    },
    async hasPin(userId) {
      return prepareCached(db, 'SELECT 1 FROM wallet_cashier_pins WHERE user_id = ?').get(userId) !== undefined;
    },
    async reservePinAttempt(userId, { atMs, attemptsMax, lockMs }) {
      const row = prepareCached(db, RESERVE_SQL.replace(/:(now|max|until|user)/g, '@$1')).get({ now: atMs, max: attemptsMax, until: atMs + lockMs, user: userId }) as { attempts: bigint } | undefined;
      if (row !== undefined) return { kind: 'reserved', attempt: Number(row.attempts) };
      const locked = prepareCached(db, 'SELECT locked_until_ms FROM wallet_cashier_pins WHERE user_id = ?').get(userId) as { locked_until_ms: bigint | null } | undefined;
      if (locked === undefined) throw new Error(`assertion failed: user ${userId} has a PIN`);
      return { kind: 'locked', untilMs: Number(locked.locked_until_ms ?? BigInt(atMs + lockMs)) };
    },
    async clearPinAttempts(userId) {
      prepareCached(db, 'UPDATE wallet_cashier_pins SET attempts = 0, locked_until_ms = NULL WHERE user_id = ?').run(userId);
    },
  };
}
