/**
 * The acquirer's business day: a calendar day in Korea (Asia/Seoul), the day
 * its merchants are paid for. Korea has kept UTC+09:00 all year since 1988
 * (no daylight saving time), so a day is exactly
 * [D 00:00 KST, D+1 00:00 KST) = [D−1 15:00Z, D 15:00Z), 24 hours, and a
 * fixed offset is exact; `business-day.test.ts` checks it against the IANA
 * zone (`Intl`) over random instants.
 *
 * Every calendar day is a business day here: the tourist shops the acquirer
 * serves trade every day, and a payout's value date is simply the next
 * calendar day. Bank holidays (when a real bank would move the value date)
 * are not modelled; a holiday calendar would be data passed in, not code.
 */
import { err, ok, type Result } from '../platform/result.ts';

/** The zone whose calendar days are business days. */
export const BUSINESS_DAY_TIME_ZONE = 'Asia/Seoul';
/** Korea Standard Time is UTC+09:00 all year (no DST since 1988), in milliseconds. */
export const KST_OFFSET_MS = 9 * 60 * 60 * 1000;
export const DAY_MS = 24 * 60 * 60 * 1000;
/** Business days the acquirer accepts: payments complete in the present; anything else is a typo. */
export const BUSINESS_DAY_MIN = '2000-01-01';
export const BUSINESS_DAY_MAX = '2199-12-31';

declare const businessDayBrand: unique symbol;
/** A calendar day in Korea, `YYYY-MM-DD`. */
export type BusinessDay = string & { readonly [businessDayBrand]: true };

const DAY_PATTERN = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

/** `YYYY-MM-DD` of a real calendar day within [BUSINESS_DAY_MIN, BUSINESS_DAY_MAX]; else why not. */
export function parseBusinessDay(text: string): Result<BusinessDay, string> {
  if (!DAY_PATTERN.test(text)) return err(`${JSON.stringify(text.slice(0, 20))} is not a day YYYY-MM-DD`);
  // "2026-02-30" parses to March: only a day that prints back as itself is a day.
  const midnightUtc = Date.parse(`${text}T00:00:00.000Z`);
  if (Number.isNaN(midnightUtc) || new Date(midnightUtc).toISOString().slice(0, 10) !== text) return err(`${text} is not a calendar day`);
  if (text < BUSINESS_DAY_MIN || text > BUSINESS_DAY_MAX) return err(`${text} is outside ${BUSINESS_DAY_MIN} … ${BUSINESS_DAY_MAX}`);
  return ok(text as BusinessDay);
}

/** The business day an instant falls on in Korea. */
export function businessDayOf(instant: Date): BusinessDay {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new Error('assertion failed: a business day of a valid instant');
  return new Date(ms + KST_OFFSET_MS).toISOString().slice(0, 10) as BusinessDay;
}

/** The first instant of a business day: D 00:00:00.000 KST. */
export function businessDayStart(day: BusinessDay): Date {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - KST_OFFSET_MS);
}

/** The first instant after a business day: D+1 00:00:00.000 KST. What completes at this instant belongs to D+1. */
export function businessDayEnd(day: BusinessDay): Date {
  return new Date(businessDayStart(day).getTime() + DAY_MS);
}

/** The calendar day after `day`. */
export function nextBusinessDay(day: BusinessDay): BusinessDay {
  return businessDayOf(businessDayEnd(day));
}
