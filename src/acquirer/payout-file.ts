/**
 * The payout file: what the acquirer asks its bank to pay, one run at a time
 * (a bulk credit transfer). The bank executes each line and reports it back
 * as paid or returned, by payout id and attempt; the operator enters that with
 * `POST /acquirer/v1/payouts/{id}/confirm` or `…/return`.
 *
 * Format (CSV, RFC 4180): UTF-8 without a byte-order mark, every line ended
 * by CRLF (the last one too), fields separated by commas; a field containing
 * a comma or a double quote, or starting or ending with a space, is enclosed
 * in double quotes, with each double quote inside doubled. No field contains
 * a line break or another control character. Three record types, in order:
 *
 * ```
 * HEADER,format,version,business_day,value_date,created_at                              (exactly one, first)
 * DETAIL,merchant_id,bank_code,account_number,holder_name,amount,currency,payout_id,value_date,attempt   (one per payout sent)
 * TRAILER,detail_count,total_amount,checksum                                            (exactly one, last)
 * ```
 *
 * - `format` is `DARI-PAYOUT`, `version` is `1`; `business_day` is the run's
 *   business day (Asia/Seoul, `YYYY-MM-DD`), `value_date` the day the bank is
 *   asked to credit the merchants, `created_at` when the run was made
 *   (`YYYY-MM-DDTHH:mm:ss.sssZ`).
 * - `merchant_id`: the acquirer's merchant id; `bank_code` (3 digits, the
 *   Korean bank code), `account_number`, `holder_name`: the merchant's
 *   settlement account as it was when the attempt was made.
 * - `amount`: won, a positive integer as a string of digits (KRW has no minor
 *   unit); `currency` is always `KRW`.
 * - `payout_id`, `attempt`: the payout and which sending of it this is (1 the
 *   first; a returned payout comes back in a later run's file with the next
 *   attempt). The bank's reference for the line is the pair.
 * - `detail_count`: DETAIL lines; `total_amount`: the sum of their amounts.
 *   `checksum`: SHA-256, lower-case hex, of the file's UTF-8 bytes from its
 *   first byte up to and including the comma before the checksum.
 *
 * DETAIL lines are ordered by merchant id, then payout id, then attempt, and
 * every field comes from stored rows, so a run's file is the same bytes each
 * time it is written.
 */
import { createHash } from 'node:crypto';
import type { PayoutAttempt, PayoutRun } from './types.ts';

export const PAYOUT_FILE_FORMAT = 'DARI-PAYOUT';
export const PAYOUT_FILE_VERSION = '1';
export const PAYOUT_FILE_MEDIA_TYPE = 'text/csv; charset=utf-8';
export const PAYOUT_FILE_DETAIL_COLUMNS = ['record_type', 'merchant_id', 'bank_code', 'account_number', 'holder_name', 'amount', 'currency', 'payout_id', 'value_date', 'attempt'] as const;
/** DETAIL lines in one file: one per merchant at most, plus re-sent payouts; the acquirer numbers at most a million merchants. */
export const PAYOUT_FILE_DETAILS_MAX = 2_000_000;

const CRLF = '\r\n';
const FORBIDDEN_CHARS = /[\u0000-\u001f\u007f]|\p{Cs}/u;
const NEEDS_QUOTES = /[",]|^ | $/;

export interface PayoutFile {
  readonly text: string;
  readonly detailCount: number;
  readonly totalKrw: bigint;
  /** The trailer's checksum. */
  readonly checksum: string;
}

function field(value: string, what: string): string {
  // The stored values were checked when they came in (contract.ts); one that does not fit is a bug.
  if (value.length === 0 || FORBIDDEN_CHARS.test(value)) throw new Error(`assertion failed: payout file ${what} is non-empty text without control characters`);
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const line = (fields: readonly string[]): string => `${fields.join(',')}${CRLF}`;

function compareAttempts(a: PayoutAttempt, b: PayoutAttempt): number {
  if (a.merchantId !== b.merchantId) return a.merchantId < b.merchantId ? -1 : 1;
  if (a.payoutId !== b.payoutId) return a.payoutId < b.payoutId ? -1 : 1;
  return a.attempt - b.attempt;
}

/** The file for one run's attempts (all of them the run's). */
export function writePayoutFile(run: PayoutRun, attempts: readonly PayoutAttempt[]): PayoutFile {
  if (attempts.length > PAYOUT_FILE_DETAILS_MAX) throw new Error(`assertion failed: a payout file has at most ${PAYOUT_FILE_DETAILS_MAX} lines`);
  const lines = [line(['HEADER', PAYOUT_FILE_FORMAT, PAYOUT_FILE_VERSION, field(run.businessDay, 'business_day'), field(run.valueDate, 'value_date'), field(run.createdAt, 'created_at')])];
  let totalKrw = 0n;
  for (const a of [...attempts].sort(compareAttempts)) {
    if (a.businessDay !== run.businessDay || a.amountKrw <= 0n) throw new Error(`assertion failed: attempt ${a.attempt} of ${a.payoutId} is a positive line of run ${run.businessDay}`);
    totalKrw += a.amountKrw;
    lines.push(
      line([
        'DETAIL',
        field(a.merchantId, 'merchant_id'),
        field(a.settlementAccount.bankCode, 'bank_code'),
        field(a.settlementAccount.accountNumber, 'account_number'),
        field(a.settlementAccount.holderName, 'holder_name'),
        a.amountKrw.toString(),
        'KRW',
        field(a.payoutId, 'payout_id'),
        field(a.valueDate, 'value_date'),
        String(a.attempt),
      ]),
    );
  }
  const sealed = `${lines.join('')}TRAILER,${attempts.length},${totalKrw},`;
  const checksum = createHash('sha256').update(sealed, 'utf8').digest('hex');
  return { text: `${sealed}${checksum}${CRLF}`, detailCount: attempts.length, totalKrw, checksum };
}
