import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BUSINESS_DAY_TIME_ZONE, businessDayEnd, businessDayOf, businessDayStart, nextBusinessDay, parseBusinessDay, type BusinessDay } from './business-day.ts';

const day = (text: string): BusinessDay => {
  const parsed = parseBusinessDay(text);
  assert.ok(parsed.ok, text);
  return parsed.value;
};

describe('business day (Asia/Seoul)', () => {
  it('cuts days at midnight KST = 15:00Z, the end instant belonging to the next day', () => {
    assert.equal(businessDayStart(day('2026-11-25')).toISOString(), '2026-11-24T15:00:00.000Z');
    assert.equal(businessDayEnd(day('2026-11-25')).toISOString(), '2026-11-25T15:00:00.000Z');
    assert.equal(businessDayOf(new Date('2026-11-25T14:59:59.999Z')), '2026-11-25');
    assert.equal(businessDayOf(new Date('2026-11-25T15:00:00.000Z')), '2026-11-26');
    assert.equal(nextBusinessDay(day('2026-12-31')), '2027-01-01');
    assert.equal(nextBusinessDay(day('2028-02-28')), '2028-02-29');
  });

  it('refuses what is not a calendar day in range', () => {
    for (const text of ['2026-02-30', '2026-13-01', '2026-1-01', '20261125', '', '2026-11-25T00:00', '1999-12-31', '2200-01-01', '２０２６-11-25']) {
      assert.equal(parseBusinessDay(text).ok, false, text);
    }
    assert.equal(parseBusinessDay('2028-02-29').ok, true);
  });

  it('agrees with the IANA zone for any instant (Korea has no DST: a fixed offset is exact)', () => {
    const seoul = new Intl.DateTimeFormat('en-CA', { timeZone: BUSINESS_DAY_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2199, 11, 30) }), (ms) => {
        const instant = new Date(ms);
        const d = businessDayOf(instant);
        assert.equal(d, seoul.format(instant));
        assert.ok(businessDayStart(d).getTime() <= ms && ms < businessDayEnd(d).getTime());
      }),
      { numRuns: 2_000 },
    );
  });
});
