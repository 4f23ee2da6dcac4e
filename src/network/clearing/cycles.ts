/**
 * Clearing cycles: the cut-off schedule that cuts time into consecutive
 * cycles, and the one cycle each payment, refund and cancellation belongs to,
 * decided by its completion time (issue 5: "a late message can never fall
 * between cycles or into two").
 *
 * The schedule is a list of daily cut-off times ("HH:MM", local wall-clock
 * time) in one IANA time zone; the default is one cut-off at 23:00 in
 * Asia/Seoul. Pure arithmetic on `Intl.DateTimeFormat`, no date library.
 *
 * Definitions, chosen so that cycles tile time in every zone, with or
 * without daylight saving time:
 *
 * - The cut-off of local date D at time t is the FIRST instant at which the
 *   zone's clock reads D t or later. When D t happens twice (the clock is put
 *   back), that is the first of the two; when it never happens (the clock
 *   jumps over it), that is the instant of the jump. The cut-off of a later
 *   (D, t) is never earlier, so the cut-offs are ordered as their (D, t).
 * - Two (D, t) inside one jump fall on the same instant and close one cycle
 *   (an empty cycle between them would be no cycle at all).
 * - A cycle is the half-open interval [opensAt, closesAt) between two
 *   consecutive cut-offs. An instant exactly at a cut-off is the FIRST instant
 *   of the NEXT cycle: a cycle closes at its cut-off, and what completes at
 *   23:00:00.000 is cleared tomorrow, like a bank's "after the cut-off".
 *
 * Cycle id: the local date and the configured cut-off time that close the
 * cycle, `YYYY-MM-DDTHHMM` (e.g. `2026-11-25T2300` for the default schedule's
 * cycle that closes at 2026-11-25 23:00 KST = 14:00Z); when several (D, t)
 * fall on one instant (inside a jump), the earliest names it. The id is
 * stable (a function of the schedule and the instant only), sorts as the
 * cycles do, and uses only characters safe in URLs, file names and ledger ids
 * (no '+' or ':'). It is read in the schedule's zone: the zone of a running
 * network is changed, if ever, only at a cut-off.
 */
import { err, ok, type Result } from '../../platform/result.ts';

/** The default schedule: one cut-off a day, at 23:00 Korea time (issue 5). */
export const CUT_OFF_TIMES_DEFAULT: readonly string[] = Object.freeze(['23:00']);
export const CYCLE_TIME_ZONE_DEFAULT = 'Asia/Seoul';

/** Cut-off times in a day: 48 allows a cycle every half hour, far beyond any clearing scheme's needs. */
export const CUT_OFF_TIMES_MAX = 48;

/** Cycles returned by one `cyclesBetween` call: over two years of daily cycles. */
export const CYCLES_BETWEEN_MAX = 1_000;

/**
 * Instants the schedule accepts: [2000-01-01, 2200-01-01) UTC. Payments
 * complete in the present; anything else is a broken clock. Within this range
 * every zone's UTC offset is a whole number of minutes, which the id and the
 * arithmetic below rely on.
 */
export const CYCLE_INSTANT_MS_MIN = Date.UTC(2000, 0, 1);
export const CYCLE_INSTANT_MS_MAX = Date.UTC(2200, 0, 1);

/** `YYYY-MM-DDTHHMM`. */
export const CYCLE_ID_PATTERN = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2})([0-9]{2})$/;

declare const cycleIdBrand: unique symbol;
/** A clearing cycle's id, `YYYY-MM-DDTHHMM` (see the file's comment). */
export type CycleId = string & { readonly [cycleIdBrand]: true };

/** One clearing cycle: what completes at or after `opensAt` and before `closesAt`. */
export interface Cycle {
  readonly id: CycleId;
  readonly opensAt: Date;
  readonly closesAt: Date;
}

export interface CycleScheduleConfig {
  /** Daily cut-off times, "HH:MM" on a 24-hour clock, in any order (default `CUT_OFF_TIMES_DEFAULT`). */
  readonly cutOffTimes?: readonly string[];
  /** An IANA time zone name (default `CYCLE_TIME_ZONE_DEFAULT`). */
  readonly timeZone?: string;
}

export type CycleScheduleError =
  | { readonly kind: 'no-cut-off-times'; readonly message: string }
  | { readonly kind: 'too-many-cut-off-times'; readonly count: number; readonly countMax: number; readonly message: string }
  | { readonly kind: 'bad-cut-off-time'; readonly index: number; readonly value: string; readonly message: string }
  | { readonly kind: 'duplicate-cut-off-time'; readonly value: string; readonly message: string }
  | { readonly kind: 'unknown-time-zone'; readonly timeZone: string; readonly message: string };

export type CyclesBetweenError = { readonly kind: 'too-many-cycles'; readonly countMax: number; readonly message: string };

export type CycleIdError =
  | { readonly kind: 'bad-cycle-id'; readonly message: string }
  | { readonly kind: 'unknown-cycle'; readonly id: string; readonly message: string };

export interface CycleSchedule {
  /** The cut-off times, "HH:MM", sorted. */
  readonly cutOffTimes: readonly string[];
  /** The zone's canonical IANA name. */
  readonly timeZone: string;
  /**
   * The one cycle `instant` belongs to: opensAt ≤ instant < closesAt. Throws
   * for an instant outside [`CYCLE_INSTANT_MS_MIN`, `CYCLE_INSTANT_MS_MAX`).
   */
  cycleOf(instant: Date): Cycle;
  /** The cycle that opens when `cycle` closes. */
  next(cycle: Cycle): Cycle;
  /** The cycle that closes when `cycle` opens. */
  previous(cycle: Cycle): Cycle;
  /**
   * The cycles that intersect [from, to), in order: the cycle of `from`
   * first. Empty when `from` is not before `to`; an error beyond
   * `CYCLES_BETWEEN_MAX` cycles.
   */
  cyclesBetween(from: Date, to: Date): Result<Cycle[], CyclesBetweenError>;
  /** The cycle of an id, when the id names a cut-off of this schedule. */
  cycleById(id: string): Result<Cycle, CycleIdError>;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const CUT_OFF_TIME_PATTERN = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;
/** Zone names are short ("America/Argentina/ComodRivadavia" is the longest); a longer input is not one. */
const TIME_ZONE_CHARS_MAX = 64;

/**
 * Builds a schedule from its configuration, checked: at least one and at most
 * `CUT_OFF_TIMES_MAX` cut-off times, each "HH:MM", none twice, and a zone
 * that `Intl` knows.
 */
export function createCycleSchedule(config: CycleScheduleConfig = {}): Result<CycleSchedule, CycleScheduleError> {
  const times = parseCutOffTimes(config.cutOffTimes ?? CUT_OFF_TIMES_DEFAULT);
  if (!times.ok) return times;
  const zone = resolveTimeZone(config.timeZone ?? CYCLE_TIME_ZONE_DEFAULT);
  if (!zone.ok) return zone;
  return ok(scheduleOf(times.value, zone.value));
}

function parseCutOffTimes(input: readonly string[]): Result<number[], CycleScheduleError> {
  if (input.length === 0) return err({ kind: 'no-cut-off-times', message: 'a schedule needs at least one cut-off time' });
  if (input.length > CUT_OFF_TIMES_MAX) {
    const message = `at most ${CUT_OFF_TIMES_MAX} cut-off times a day, got ${input.length}`;
    return err({ kind: 'too-many-cut-off-times', count: input.length, countMax: CUT_OFF_TIMES_MAX, message });
  }
  const minutes: number[] = [];
  for (const [index, value] of input.entries()) {
    const match = typeof value === 'string' ? CUT_OFF_TIME_PATTERN.exec(value) : null;
    if (match === null) {
      const shown = String(value).slice(0, 16);
      const message = `cut-off time ${index + 1} ${JSON.stringify(shown)} is not "HH:MM" (00:00 to 23:59)`;
      return err({ kind: 'bad-cut-off-time', index, value: shown, message });
    }
    const minute = Number(match[1]) * 60 + Number(match[2]);
    if (minutes.includes(minute)) return err({ kind: 'duplicate-cut-off-time', value, message: `cut-off time ${value} is given twice` });
    minutes.push(minute);
  }
  return ok(minutes.sort((a, b) => a - b));
}

function resolveTimeZone(timeZone: string): Result<string, CycleScheduleError> {
  const unknown = (): Result<string, CycleScheduleError> => {
    const shown = String(timeZone).slice(0, TIME_ZONE_CHARS_MAX);
    return err({ kind: 'unknown-time-zone', timeZone: shown, message: `unknown time zone ${JSON.stringify(shown)}: use an IANA name such as Asia/Seoul` });
  };
  // Offsets ("+09:00") name no rules for the future, and some Node versions accept them: refused.
  if (typeof timeZone !== 'string' || timeZone.length > TIME_ZONE_CHARS_MAX || !/^[A-Za-z]/.test(timeZone)) return unknown();
  try {
    return ok(new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone);
  } catch (error) {
    // Intl's only way of saying "no such zone" is a RangeError.
    if (error instanceof RangeError) return unknown();
    throw error;
  }
}

/**
 * The zone's clock: the wall-clock reading of an instant, as milliseconds
 * since 1970-01-01T00:00 of that reading taken as if it were UTC ("local
 * milliseconds"). Offsets are whole minutes in the accepted range, so seconds
 * and milliseconds carry over unchanged.
 */
function zoneClock(timeZone: string): (instantMs: number) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  return (instantMs) => {
    const part = { year: 0, month: 0, day: 0, hour: 0, minute: 0 };
    for (const { type, value } of format.formatToParts(instantMs)) {
      if (type === 'year' || type === 'month' || type === 'day' || type === 'hour' || type === 'minute') part[type] = Number(value);
    }
    // Some ICU versions write midnight as 24 even with h23.
    const local = Date.UTC(part.year, part.month - 1, part.day, part.hour % 24, part.minute);
    return local + (((instantMs % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
  };
}

/**
 * The first instant at which the zone's clock reads `localMs` or later. Within
 * a day either side, a zone changes its offset at most once (true of every
 * zone in the accepted range), so the answer is `localMs − offset` for the
 * offset before or after, or, inside a forward jump, the instant of the jump.
 */
function firstInstantAtOrAfter(wall: (instantMs: number) => number, localMs: number): number {
  const offsetBefore = wall(localMs - DAY_MS) - (localMs - DAY_MS);
  const offsetAfter = wall(localMs + DAY_MS) - (localMs + DAY_MS);
  const candidates = [localMs - offsetBefore, localMs - offsetAfter].filter((x) => wall(x) === localMs).sort((a, b) => a - b);
  if (candidates[0] !== undefined) return candidates[0];
  // A forward jump over localMs: the clock reads less than localMs at `low` and more at `high`.
  if (!(offsetAfter > offsetBefore)) throw new Error(`assertion failed: local time ${new Date(localMs).toISOString()} exists or is jumped over`);
  let low = localMs - offsetAfter;
  let high = localMs - offsetBefore;
  if (!(wall(low) < localMs && wall(high) > localMs)) throw new Error('assertion failed: one offset change around a jump');
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (wall(middle) >= localMs) high = middle;
    else low = middle;
  }
  return high;
}

interface CutOff {
  readonly id: CycleId;
  readonly atMs: number;
}

/** A minute of the day as "HHMM" (ids) or "HH:MM" (configuration). */
function formatMinute(minuteOfDay: number, separator: '' | ':'): string {
  const hh = String(Math.floor(minuteOfDay / 60)).padStart(2, '0');
  const mm = String(minuteOfDay % 60).padStart(2, '0');
  return `${hh}${separator}${mm}`;
}

/** The id of the cut-off of local day `dayNumber` (days since 1970-01-01) at `minuteOfDay`. */
function formatCycleId(dayNumber: number, minuteOfDay: number): CycleId {
  const date = new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
  return `${date}T${formatMinute(minuteOfDay, '')}` as CycleId;
}

function checkInstant(instantMs: number, what: string): void {
  if (!(Number.isFinite(instantMs) && instantMs >= CYCLE_INSTANT_MS_MIN && instantMs < CYCLE_INSTANT_MS_MAX)) {
    throw new Error(`assertion failed: ${what} ${Number.isFinite(instantMs) ? new Date(instantMs).toISOString() : 'Invalid Date'} is within 2000-2199`);
  }
}

function scheduleOf(cutOffMinutes: readonly number[], timeZone: string): CycleSchedule {
  const wall = zoneClock(timeZone);
  const cutOffTimes = cutOffMinutes.map((minute) => formatMinute(minute, ':'));

  /** The cut-offs of four local days around an instant, in (D, t) order, hence in time order. */
  const cutOffsAround = (instantMs: number): CutOff[] => {
    const day = Math.floor(wall(instantMs) / DAY_MS);
    const cutOffs: CutOff[] = [];
    // (day − 1, t) is at or before the instant (the clock read it by then) and
    // (day + 2, t) after it (no zone puts its clock back by a day).
    for (let d = day - 1; d <= day + 2; d++) {
      for (const minute of cutOffMinutes) {
        const atMs = firstInstantAtOrAfter(wall, d * DAY_MS + minute * MINUTE_MS);
        const last = cutOffs.at(-1);
        if (last !== undefined && atMs < last.atMs) throw new Error('assertion failed: cut-offs are ordered as their local times');
        // Inside one jump, (D, t) pairs fall on one instant: the earliest names the cycle.
        if (last === undefined || atMs > last.atMs) cutOffs.push({ id: formatCycleId(d, minute), atMs });
      }
    }
    return cutOffs;
  };

  let memo: Cycle | undefined;
  const cycleOf = (instant: Date): Cycle => {
    const x = instant.getTime();
    checkInstant(x, 'instant');
    if (memo !== undefined && memo.opensAt.getTime() <= x && x < memo.closesAt.getTime()) return copy(memo);
    const cutOffs = cutOffsAround(x);
    const closing = cutOffs.findIndex((c) => c.atMs > x);
    const close = cutOffs[closing];
    const open = cutOffs[closing - 1];
    if (close === undefined || open === undefined) throw new Error(`assertion failed: cut-offs on both sides of ${instant.toISOString()}`);
    memo = { id: close.id, opensAt: new Date(open.atMs), closesAt: new Date(close.atMs) };
    return copy(memo);
  };

  const cyclesBetween = (from: Date, to: Date): Result<Cycle[], CyclesBetweenError> => {
    const cycles: Cycle[] = [];
    if (!(from.getTime() < to.getTime())) return ok(cycles);
    for (let cycle = cycleOf(from); cycle.opensAt.getTime() < to.getTime(); cycle = cycleOf(cycle.closesAt)) {
      if (cycles.length === CYCLES_BETWEEN_MAX) {
        const message = `more than ${CYCLES_BETWEEN_MAX} cycles between ${from.toISOString()} and ${to.toISOString()}`;
        return err({ kind: 'too-many-cycles', countMax: CYCLES_BETWEEN_MAX, message });
      }
      cycles.push(cycle);
    }
    return ok(cycles);
  };

  const cycleById = (id: string): Result<Cycle, CycleIdError> => {
    const match = typeof id === 'string' ? CYCLE_ID_PATTERN.exec(id) : null;
    if (match === null) return err({ kind: 'bad-cycle-id', message: 'a cycle id is YYYY-MM-DDTHHMM, e.g. 2026-11-25T2300' });
    const [, year, month, day, hour, minute] = match.map(Number) as [number, number, number, number, number, number];
    const localMs = Date.UTC(year, month - 1, day, hour, minute);
    const minuteOfDay = hour * 60 + minute;
    const unknown = err({ kind: 'unknown-cycle', id, message: `${id} is not a cut-off of the schedule ${cutOffTimes.join(',')} ${timeZone}` } as const);
    // Date.UTC rolls 2026-02-30 over to March: a date that does not round-trip does not exist.
    if (formatCycleId(Math.floor(localMs / DAY_MS), minuteOfDay) !== id || !cutOffMinutes.includes(minuteOfDay)) return unknown;
    const atMs = firstInstantAtOrAfter(wall, localMs);
    if (!(atMs - 1 >= CYCLE_INSTANT_MS_MIN && atMs < CYCLE_INSTANT_MS_MAX)) return unknown;
    // The cycle that closes at this cut-off; another id names it when two cut-offs fall on one instant.
    const cycle = cycleOf(new Date(atMs - 1));
    return cycle.id === id ? ok(cycle) : unknown;
  };

  return {
    cutOffTimes,
    timeZone,
    cycleOf,
    next: (cycle) => cycleOf(cycle.closesAt),
    previous: (cycle) => cycleOf(new Date(cycle.opensAt.getTime() - 1)),
    cyclesBetween,
    cycleById,
  };
}

/** Dates are mutable: each caller gets its own. */
function copy(cycle: Cycle): Cycle {
  return { id: cycle.id, opensAt: new Date(cycle.opensAt.getTime()), closesAt: new Date(cycle.closesAt.getTime()) };
}
