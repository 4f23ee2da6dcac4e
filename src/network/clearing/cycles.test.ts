import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CUT_OFF_TIMES_MAX,
  CYCLES_BETWEEN_MAX,
  CYCLE_INSTANT_MS_MAX,
  CYCLE_INSTANT_MS_MIN,
  createCycleSchedule,
  type Cycle,
  type CycleSchedule,
  type CycleScheduleConfig,
} from './cycles.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

function schedule(config: CycleScheduleConfig = {}): CycleSchedule {
  const created = createCycleSchedule(config);
  if (!created.ok) throw new Error(`schedule refused: ${created.error.message}`);
  return created.value;
}

const at = (iso: string): Date => new Date(iso);

/** "00:00", "00:30", "01:00", … `count` times. */
function halfHours(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${String(Math.floor(i / 2)).padStart(2, '0')}:${i % 2 === 0 ? '00' : '30'}`);
}

function plain(cycle: Cycle): { id: string; opensAt: string; closesAt: string } {
  return { id: cycle.id, opensAt: cycle.opensAt.toISOString(), closesAt: cycle.closesAt.toISOString() };
}

describe('the default schedule: 23:00 Asia/Seoul', () => {
  const seoul = schedule();

  it('is one cut-off at 23:00 in Asia/Seoul', () => {
    assert.deepEqual(seoul.cutOffTimes, ['23:00']);
    assert.equal(seoul.timeZone, 'Asia/Seoul');
  });

  it('puts 22:59:59.999 KST in the cycle that closes at 23:00 that day', () => {
    assert.deepEqual(plain(seoul.cycleOf(at('2026-11-25T13:59:59.999Z'))), {
      id: '2026-11-25T2300',
      opensAt: '2026-11-24T14:00:00.000Z',
      closesAt: '2026-11-25T14:00:00.000Z',
    });
  });

  it('puts an instant exactly at the cut-off in the NEXT cycle (half-open intervals)', () => {
    assert.deepEqual(plain(seoul.cycleOf(at('2026-11-25T14:00:00.000Z'))), {
      id: '2026-11-26T2300',
      opensAt: '2026-11-25T14:00:00.000Z',
      closesAt: '2026-11-26T14:00:00.000Z',
    });
  });

  it('puts a payment at 00:30 KST in the cycle of that same local date', () => {
    assert.equal(seoul.cycleOf(at('2026-11-25T15:30:00Z')).id, '2026-11-26T2300');
  });

  it('finds a cycle by its id, and next and previous are its neighbours', () => {
    const cycle = seoul.cycleById('2026-11-25T2300');
    assert.ok(cycle.ok);
    assert.equal(cycle.value.closesAt.toISOString(), '2026-11-25T14:00:00.000Z');
    assert.equal(seoul.next(cycle.value).id, '2026-11-26T2300');
    assert.equal(seoul.previous(cycle.value).id, '2026-11-24T2300');
  });

  it('hands out copies: changing a returned date changes nothing inside', () => {
    const first = seoul.cycleOf(at('2026-11-25T12:00:00Z'));
    first.closesAt.setTime(0);
    assert.equal(seoul.cycleOf(at('2026-11-25T12:00:00Z')).closesAt.toISOString(), '2026-11-25T14:00:00.000Z');
  });

  it('throws (a broken clock, a bug) for an instant outside 2000-2199 or an invalid date', () => {
    assert.throws(() => seoul.cycleOf(new Date(CYCLE_INSTANT_MS_MIN - 1)), /assertion failed/);
    assert.throws(() => seoul.cycleOf(new Date(CYCLE_INSTANT_MS_MAX)), /assertion failed/);
    assert.throws(() => seoul.cycleOf(new Date(Number.NaN)), /assertion failed/);
    assert.equal(seoul.cycleOf(new Date(CYCLE_INSTANT_MS_MIN)).id, '2000-01-01T2300');
  });
});

describe('configuration is checked', () => {
  const cases: { name: string; config: CycleScheduleConfig; kind: string }[] = [
    { name: 'an empty list', config: { cutOffTimes: [] }, kind: 'no-cut-off-times' },
    { name: '24:00', config: { cutOffTimes: ['24:00'] }, kind: 'bad-cut-off-time' },
    { name: 'an hour without its leading zero', config: { cutOffTimes: ['7:00'] }, kind: 'bad-cut-off-time' },
    { name: 'seconds', config: { cutOffTimes: ['23:00:00'] }, kind: 'bad-cut-off-time' },
    { name: 'minute 60', config: { cutOffTimes: ['12:60'] }, kind: 'bad-cut-off-time' },
    { name: 'whitespace', config: { cutOffTimes: [' 23:00'] }, kind: 'bad-cut-off-time' },
    { name: 'an empty time', config: { cutOffTimes: [''] }, kind: 'bad-cut-off-time' },
    { name: 'a time given twice', config: { cutOffTimes: ['12:00', '23:00', '12:00'] }, kind: 'duplicate-cut-off-time' },
    // 49 times: every half hour, and 23:59.
    { name: 'too many times', config: { cutOffTimes: [...halfHours(CUT_OFF_TIMES_MAX), '23:59'] }, kind: 'too-many-cut-off-times' },
    { name: 'an unknown zone', config: { timeZone: 'Mars/Olympus_Mons' }, kind: 'unknown-time-zone' },
    { name: 'an offset instead of a zone', config: { timeZone: '+09:00' }, kind: 'unknown-time-zone' },
    { name: 'an empty zone', config: { timeZone: '' }, kind: 'unknown-time-zone' },
    { name: 'an overlong zone', config: { timeZone: `Asia/${'x'.repeat(100)}` }, kind: 'unknown-time-zone' },
  ];
  for (const { name, config, kind } of cases) {
    it(`refuses ${name} (${kind})`, () => {
      const created = createCycleSchedule(config);
      assert.equal(created.ok, false);
      if (!created.ok) {
        assert.equal(created.error.kind, kind);
        assert.ok(created.error.message.length > 0);
      }
    });
  }

  it('names the index and the value of a bad time', () => {
    const created = createCycleSchedule({ cutOffTimes: ['12:00', 'noon'] });
    assert.deepEqual(created.ok ? undefined : created.error, {
      kind: 'bad-cut-off-time',
      index: 1,
      value: 'noon',
      message: 'cut-off time 2 "noon" is not "HH:MM" (00:00 to 23:59)',
    });
  });

  it('sorts the times and canonicalises the zone name', () => {
    const s = schedule({ cutOffTimes: ['23:00', '06:30', '12:00'], timeZone: 'asia/seoul' });
    assert.deepEqual(s.cutOffTimes, ['06:30', '12:00', '23:00']);
    assert.equal(s.timeZone, 'Asia/Seoul');
    assert.equal(schedule({ cutOffTimes: halfHours(CUT_OFF_TIMES_MAX) }).cutOffTimes.length, CUT_OFF_TIMES_MAX);
  });
});

describe('zones with daylight saving time', () => {
  it('Europe/London, clocks forward (01:00 GMT → 02:00 BST): a cut-off in the jump closes at the jump', () => {
    const london = schedule({ timeZone: 'Europe/London', cutOffTimes: ['01:30', '23:00'] });
    // 2026-03-29 01:30 never happens in London: the cycle closes when the clock jumps, 01:00Z.
    assert.deepEqual(plain(london.cycleOf(at('2026-03-29T00:59:59.999Z'))), {
      id: '2026-03-29T0130',
      opensAt: '2026-03-28T23:00:00.000Z',
      closesAt: '2026-03-29T01:00:00.000Z',
    });
    assert.deepEqual(plain(london.cycleOf(at('2026-03-29T01:00:00.000Z'))), {
      id: '2026-03-29T2300',
      opensAt: '2026-03-29T01:00:00.000Z',
      closesAt: '2026-03-29T22:00:00.000Z',
    });
  });

  it('Europe/London, two cut-offs inside the jump close ONE cycle, named by the earlier', () => {
    const london = schedule({ timeZone: 'Europe/London', cutOffTimes: ['01:15', '01:45'] });
    const cycle = london.cycleOf(at('2026-03-29T00:30:00Z'));
    assert.deepEqual(plain(cycle), { id: '2026-03-29T0115', opensAt: '2026-03-28T01:45:00.000Z', closesAt: '2026-03-29T01:00:00.000Z' });
    assert.equal(london.next(cycle).id, '2026-03-30T0115');
    const hidden = london.cycleById('2026-03-29T0145');
    assert.equal(hidden.ok ? 'found' : hidden.error.kind, 'unknown-cycle');
  });

  it('Europe/London, clocks back (02:00 BST → 01:00 GMT): a cut-off at 01:30 is the FIRST 01:30', () => {
    const london = schedule({ timeZone: 'Europe/London', cutOffTimes: ['01:30'] });
    const cycle = london.cycleOf(at('2026-10-25T00:00:00Z'));
    assert.deepEqual(plain(cycle), { id: '2026-10-25T0130', opensAt: '2026-10-24T00:30:00.000Z', closesAt: '2026-10-25T00:30:00.000Z' });
    // The second 01:30 (01:30Z) is inside the next cycle, which lasts 25 hours.
    const next = london.next(cycle);
    assert.deepEqual(plain(next), { id: '2026-10-26T0130', opensAt: '2026-10-25T00:30:00.000Z', closesAt: '2026-10-26T01:30:00.000Z' });
    assert.equal(london.cycleOf(at('2026-10-25T01:30:00Z')).id, next.id);
  });

  it('a day with a 23-hour and one with a 25-hour cycle in America/New_York', () => {
    const newYork = schedule({ timeZone: 'America/New_York', cutOffTimes: ['23:00'] });
    const short = newYork.cycleOf(at('2026-03-08T12:00:00Z'));
    assert.equal(short.closesAt.getTime() - short.opensAt.getTime(), 23 * HOUR_MS);
    const long = newYork.cycleOf(at('2026-11-01T12:00:00Z'));
    assert.equal(long.closesAt.getTime() - long.opensAt.getTime(), 25 * HOUR_MS);
  });

  it('Pacific/Apia skipped 2011-12-30 entirely: its cut-off closes at the jump, no cycle is lost', () => {
    const apia = schedule({ timeZone: 'Pacific/Apia', cutOffTimes: ['12:00'] });
    const listed = apia.cyclesBetween(at('2011-12-29T00:00:00Z'), at('2011-12-31T00:00:00Z'));
    assert.ok(listed.ok);
    assert.deepEqual(listed.value.map(plain), [
      { id: '2011-12-29T1200', opensAt: '2011-12-28T22:00:00.000Z', closesAt: '2011-12-29T22:00:00.000Z' },
      { id: '2011-12-30T1200', opensAt: '2011-12-29T22:00:00.000Z', closesAt: '2011-12-30T10:00:00.000Z' },
      { id: '2011-12-31T1200', opensAt: '2011-12-30T10:00:00.000Z', closesAt: '2011-12-30T22:00:00.000Z' },
      { id: '2012-01-01T1200', opensAt: '2011-12-30T22:00:00.000Z', closesAt: '2011-12-31T22:00:00.000Z' },
    ]);
  });

  it('Australia/Lord_Howe moves its clock by 30 minutes', () => {
    const lordHowe = schedule({ timeZone: 'Australia/Lord_Howe', cutOffTimes: ['02:15'] });
    // 2026-10-04 02:00 → 02:30 (+10:30 → +11:00): 02:15 is jumped over, the cut-off is the jump, 15:30Z the day before.
    const cycle = lordHowe.cycleOf(at('2026-10-03T15:00:00Z'));
    assert.deepEqual(plain(cycle), { id: '2026-10-04T0215', opensAt: '2026-10-02T15:45:00.000Z', closesAt: '2026-10-03T15:30:00.000Z' });
  });
});

describe('cyclesBetween', () => {
  const s = schedule({ cutOffTimes: ['06:00', '23:00'] });

  it('lists the cycles that intersect [from, to), contiguous, the cycle of from first', () => {
    const listed = s.cyclesBetween(at('2026-11-25T00:00:00Z'), at('2026-11-26T14:00:00Z'));
    assert.ok(listed.ok);
    assert.deepEqual(listed.value.map((c) => c.id), ['2026-11-25T2300', '2026-11-26T0600', '2026-11-26T2300']);
  });

  it('is empty when from is not before to', () => {
    assert.deepEqual(s.cyclesBetween(at('2026-11-25T00:00:00Z'), at('2026-11-25T00:00:00Z')), { ok: true, value: [] });
    assert.deepEqual(s.cyclesBetween(at('2026-11-26T00:00:00Z'), at('2026-11-25T00:00:00Z')), { ok: true, value: [] });
  });

  it(`refuses more than CYCLES_BETWEEN_MAX (${CYCLES_BETWEEN_MAX}) cycles, and lists exactly that many`, () => {
    const daily = schedule();
    const from = daily.cycleOf(at('2026-01-01T00:00:00Z')).opensAt;
    const exactly = daily.cyclesBetween(from, new Date(from.getTime() + CYCLES_BETWEEN_MAX * DAY_MS));
    assert.equal(exactly.ok ? exactly.value.length : exactly.error.kind, CYCLES_BETWEEN_MAX);
    const tooMany = daily.cyclesBetween(from, new Date(from.getTime() + CYCLES_BETWEEN_MAX * DAY_MS + 1));
    assert.equal(tooMany.ok ? tooMany.value.length : tooMany.error.kind, 'too-many-cycles');
  });
});

describe('cycleById', () => {
  const s = schedule({ cutOffTimes: ['06:00', '23:00'] });
  const cases: { id: string; kind: string }[] = [
    { id: '', kind: 'bad-cycle-id' },
    { id: '2026-11-25', kind: 'bad-cycle-id' },
    { id: '2026-11-25T23:00', kind: 'bad-cycle-id' },
    { id: '2026-11-25T2300+09:00', kind: 'bad-cycle-id' },
    { id: '2026-11-25T1200', kind: 'unknown-cycle' },
    { id: '2026-02-30T2300', kind: 'unknown-cycle' },
    { id: '2026-13-01T2300', kind: 'unknown-cycle' },
    { id: '1999-12-31T2300', kind: 'unknown-cycle' },
    { id: '2200-01-01T2300', kind: 'unknown-cycle' },
  ];
  for (const { id, kind } of cases) {
    it(`refuses ${JSON.stringify(id)} (${kind})`, () => {
      const found = s.cycleById(id);
      assert.equal(found.ok ? 'found' : found.error.kind, kind);
    });
  }

  it('finds the first and the last cycles of the accepted range', () => {
    const first = s.cycleOf(new Date(CYCLE_INSTANT_MS_MIN));
    assert.deepEqual(s.cycleById(first.id), { ok: true, value: first });
    const last = s.cycleById('2199-12-31T2300');
    assert.equal(last.ok ? last.value.closesAt.toISOString() : last.error.kind, '2199-12-31T14:00:00.000Z');
  });
});

// ---- properties ----

const ZONES = [
  'Asia/Seoul',
  'UTC',
  'Europe/London',
  'America/New_York',
  'America/Santiago', // changes at 24:00: a cut-off at 00:00 is jumped over
  'America/St_Johns', // −03:30 with DST
  'Australia/Lord_Howe', // a 30-minute DST
  'Asia/Kathmandu', // +05:45
  'Africa/Casablanca', // leaves its offset for Ramadan each year
  'Pacific/Apia', // skipped a whole day in 2011
  'Asia/Tehran', // DST until 2022
] as const;

/** Cut-off minutes, often in the hours where clocks change (00:00 to 03:00) and late in the evening. */
const cutOffMinute = fc.oneof(
  fc.integer({ min: 0, max: 1439 }),
  fc.integer({ min: 0, max: 3 * 60 }),
  fc.integer({ min: 23 * 60, max: 1439 }),
);
const cutOffTimes = fc
  .uniqueArray(cutOffMinute, { minLength: 1, maxLength: 6 })
  .map((minutes) => minutes.map((m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`));

/** fc.integer stops at 32 bits; instants and spans in milliseconds go beyond. */
const msBetween = (min: number, max: number): fc.Arbitrary<number> => fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map(Number);
/** Instants over the whole range, and often near the spring and autumn changes, at any millisecond. */
const instantMs = fc.oneof(
  msBetween(CYCLE_INSTANT_MS_MIN + 3 * DAY_MS, CYCLE_INSTANT_MS_MAX - 3 * DAY_MS),
  fc
    .record({
      year: fc.integer({ min: 2000, max: 2198 }),
      month: fc.constantFrom(2, 3, 8, 9, 10, 11),
      dayMs: msBetween(0, 31 * DAY_MS - 1),
    })
    .map(({ year, month, dayMs }) => Date.UTC(year, month, 1) + dayMs),
  msBetween(Date.UTC(2011, 11, 25), Date.UTC(2012, 0, 5)),
);
const anySchedule = fc.record({ timeZone: fc.constantFrom(...ZONES), cutOffTimes });

/** What must hold of the cycle of any instant, under any schedule. */
function assertCycleProperties(s: CycleSchedule, x: number): void {
  const instant = new Date(x);
  const cycle = s.cycleOf(instant);
  const context = `${s.timeZone} ${s.cutOffTimes.join(',')} ${instant.toISOString()} → ${JSON.stringify(plain(cycle))}`;
  // The cycle contains the instant.
  assert.ok(cycle.opensAt.getTime() <= x && x < cycle.closesAt.getTime(), context);
  // Its neighbours touch it, with no gap and no overlap, and do not contain the instant.
  const previous = s.previous(cycle);
  const next = s.next(cycle);
  assert.equal(previous.closesAt.getTime(), cycle.opensAt.getTime(), context);
  assert.equal(next.opensAt.getTime(), cycle.closesAt.getTime(), context);
  assert.ok(previous.closesAt.getTime() <= x && next.opensAt.getTime() > x, context);
  // Every instant of the interval gives the same cycle; the cut-off belongs to the next one.
  assert.equal(s.cycleOf(cycle.opensAt).id, cycle.id, context);
  assert.equal(s.cycleOf(new Date(cycle.closesAt.getTime() - 1)).id, cycle.id, context);
  assert.equal(s.cycleOf(cycle.closesAt).id, next.id, context);
  // Ids are unique, ordered as the cycles, and lead back to the cycle.
  assert.ok(previous.id < cycle.id && cycle.id < next.id, context);
  assert.deepEqual(s.cycleById(cycle.id), { ok: true, value: cycle }, context);
  // No cycle is empty, and none lasts longer than a day and a jump.
  const lengthMs = cycle.closesAt.getTime() - cycle.opensAt.getTime();
  assert.ok(lengthMs > 0 && lengthMs <= DAY_MS + 3 * HOUR_MS, context);
}

describe('properties (seeded)', () => {
  it('every instant is in exactly one cycle, which contains it and touches its neighbours', () => {
    fc.assert(
      fc.property(anySchedule, instantMs, (config, x) => {
        assertCycleProperties(schedule(config), x);
      }),
      { numRuns: 400, seed: 20_261_125 },
    );
  });

  it('an instant exactly at a cut-off opens the next cycle', () => {
    fc.assert(
      fc.property(anySchedule, instantMs, (config, x) => {
        const s = schedule(config);
        const cycle = s.cycleOf(new Date(x));
        const atCutOff = s.cycleOf(cycle.closesAt);
        assert.equal(atCutOff.opensAt.getTime(), cycle.closesAt.getTime());
        assert.notEqual(atCutOff.id, cycle.id);
      }),
      { numRuns: 200, seed: 20_261_126 },
    );
  });

  it('consecutive cycles tile time: 60 cycles forward, each opening where the last closed', () => {
    fc.assert(
      fc.property(anySchedule, instantMs, (config, x) => {
        const s = schedule(config);
        let cycle = s.cycleOf(new Date(Math.min(x, CYCLE_INSTANT_MS_MAX - 70 * DAY_MS)));
        for (let i = 0; i < 60; i++) {
          const next = s.next(cycle);
          assert.equal(next.opensAt.getTime(), cycle.closesAt.getTime());
          assert.ok(next.closesAt.getTime() > next.opensAt.getTime() && next.id > cycle.id);
          cycle = next;
        }
      }),
      { numRuns: 60, seed: 20_261_127 },
    );
  });

  it('cyclesBetween covers [from, to) with contiguous cycles', () => {
    fc.assert(
      fc.property(anySchedule, instantMs, msBetween(1, 20 * DAY_MS), (config, x, spanMs) => {
        const s = schedule(config);
        const to = Math.min(x + spanMs, CYCLE_INSTANT_MS_MAX - 2 * DAY_MS);
        const listed = s.cyclesBetween(new Date(x), new Date(to));
        assert.ok(listed.ok);
        const cycles = listed.value;
        if (x >= to) {
          assert.deepEqual(cycles, []);
          return;
        }
        assert.equal(cycles[0]?.id, s.cycleOf(new Date(x)).id);
        assert.ok(cycles.at(-1)!.closesAt.getTime() >= to && cycles.at(-1)!.opensAt.getTime() < to);
        cycles.slice(1).forEach((c, i) => assert.equal(c.opensAt.getTime(), cycles[i]!.closesAt.getTime()));
      }),
      { numRuns: 100, seed: 20_261_128 },
    );
  });

  it('agrees with a minute-by-minute scan of the zone clock (an independent model)', () => {
    fc.assert(
      fc.property(anySchedule, instantMs, (config, x) => {
        const s = schedule(config);
        const from = Math.floor(x / MINUTE_MS) * MINUTE_MS - 2 * DAY_MS;
        const to = from + 4 * DAY_MS;
        const expected = scannedCutOffs(s.timeZone, s.cutOffTimes, from, to).filter((c) => c.atMs > from + DAY_MS && c.atMs <= to - DAY_MS);
        const listed = s.cyclesBetween(new Date(from + DAY_MS), new Date(to - DAY_MS));
        assert.ok(listed.ok);
        const actual = listed.value.map((c) => ({ id: c.id as string, atMs: c.closesAt.getTime() })).filter((c) => c.atMs <= to - DAY_MS);
        assert.deepEqual(actual, expected);
      }),
      { numRuns: 40, seed: 20_261_129 },
    );
  });
});

describe('every clock change of some years, against the model', () => {
  // Cut-offs every 15 minutes through the small hours, where clocks change, and one in the evening.
  const times = [...Array.from({ length: 16 }, (_, i) => `0${Math.floor(i / 4)}:${String((i % 4) * 15).padStart(2, '0')}`), '23:00'];
  const zones = ['Europe/London', 'America/New_York', 'America/Santiago', 'America/St_Johns', 'Australia/Lord_Howe', 'Africa/Casablanca', 'Pacific/Apia'];
  for (const timeZone of zones) {
    it(`${timeZone}: the cut-offs around each change in 2011, 2026 and 2150 are the model's`, () => {
      const s = schedule({ timeZone, cutOffTimes: times });
      let changes = 0;
      for (const year of [2011, 2026, 2150]) {
        for (const changeMs of clockChanges(timeZone, year)) {
          changes += 1;
          const from = changeMs - 2 * DAY_MS;
          const to = changeMs + 2 * DAY_MS;
          const expected = scannedCutOffs(timeZone, times, from, to).filter((c) => c.atMs > from + DAY_MS && c.atMs <= to - DAY_MS);
          const listed = s.cyclesBetween(new Date(from + DAY_MS), new Date(to - DAY_MS));
          assert.ok(listed.ok);
          const actual = listed.value.map((c) => ({ id: c.id as string, atMs: c.closesAt.getTime() })).filter((c) => c.atMs <= to - DAY_MS);
          assert.deepEqual(actual, expected, `${timeZone} around ${new Date(changeMs).toISOString()}`);
        }
      }
      assert.ok(changes > 0, `${timeZone} changes its clock in one of the years`);
    });
  }
});

/** Noon (UTC) of each day of `year` after which the zone's offset differs the next noon. */
function clockChanges(timeZone: string, year: number): number[] {
  const format = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const offset = (ms: number): number => Date.parse(`${format.format(ms).replace(' ', 'T')}:00Z`) - ms;
  const changes: number[] = [];
  for (let day = Date.UTC(year, 0, 1, 12); day < Date.UTC(year + 1, 0, 1, 12); day += DAY_MS) {
    if (offset(day) !== offset(day + DAY_MS)) changes.push(day);
  }
  return changes;
}

/**
 * The model: walk the zone's clock a minute at a time (offsets and their
 * changes are whole minutes) and record, at each minute, the configured
 * local times the clock reaches or passes there for the first time.
 */
function scannedCutOffs(timeZone: string, times: readonly string[], fromMs: number, toMs: number): { id: string; atMs: number }[] {
  const format = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  // sv-SE writes "2026-11-25 23:00".
  const clock = (ms: number): number => Date.parse(`${format.format(ms).replace(' ', 'T')}:00Z`);
  const minutes = times.map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3)));
  const found: { id: string; atMs: number }[] = [];
  let reached = clock(fromMs - MINUTE_MS);
  for (let ms = fromMs; ms <= toMs; ms += MINUTE_MS) {
    const reading = clock(ms);
    if (reading > reached) {
      const passed: number[] = [];
      for (let day = Math.floor(reached / DAY_MS); day <= Math.floor(reading / DAY_MS); day++) {
        for (const m of minutes) {
          const local = day * DAY_MS + m * MINUTE_MS;
          if (local > reached && local <= reading) passed.push(local);
        }
      }
      const first = passed.sort((a, b) => a - b)[0];
      if (first !== undefined) {
        const iso = new Date(first).toISOString();
        found.push({ id: `${iso.slice(0, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}`, atMs: ms });
      }
      reached = reading;
    }
  }
  return found;
}
