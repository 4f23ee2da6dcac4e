/**
 * Every limit of the ledger, named with its unit (STYLE 18). A value outside
 * these is refused with a result code, never truncated.
 */

/** Largest amount or balance: a signed 64-bit integer, what both engines store natively. */
export const AMOUNT_MAX = 2n ** 63n - 1n;

/** Ids are client-chosen strings: short, printable, safe in URLs, logs and CSV files. */
export const ID_LENGTH_MAX = 64;
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/** A ledger is named by its ISO 4217 currency code; transfers never cross ledgers. */
export const LEDGER_PATTERN = /^[A-Z]{3}$/;

/** Account and transfer codes are chosen by the institution, as TigerBeetle's u16 `code`; zero means "unset" and is refused. */
export const CODE_MIN = 1;
export const CODE_MAX = 65_535;

export const USER_DATA_LENGTH_MAX = 128;

/** A hold longer than this is a bug or an abuse; card authorisations lapse well within it. */
export const PENDING_TIMEOUT_SECONDS_MAX = 366 * 24 * 60 * 60;

/**
 * Events committed in one database transaction (TigerBeetle's batch size).
 * Bigger batches amortise the commit further but hold the writer longer and
 * raise every waiting caller's latency.
 */
export const BATCH_EVENTS_MAX = 8_190;

/** One call can carry at most one batch, so a call is always committed whole. */
export const CALL_EVENTS_MAX = BATCH_EVENTS_MAX;

/** Expired pending transfers released per batch; the rest wait for the next batch. */
export const EXPIRIES_PER_BATCH_MAX = 1_024;

/** Transfers returned by one page of an account's history. */
export const PAGE_TRANSFERS_MAX = 1_000;

/**
 * Transfers in one page of `streamTransfers`: big enough that a range of
 * millions costs few statements, small enough that a page is a few MiB.
 */
export const STREAM_PAGE_TRANSFERS_MAX = 8_192;

export const NANOSECONDS_PER_SECOND = 1_000_000_000n;
