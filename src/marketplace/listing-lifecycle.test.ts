import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  LISTING_EVENTS,
  LISTING_STATUSES,
  isShown,
  nextListingStatus,
  relistEvent,
  reviewEvent,
  type ListingEvent,
  type ListingStatus,
} from './listing-lifecycle.ts';

/**
 * The whole matrix, written out by hand from issue 7 (not derived from the
 * table under test): `null` is a refused move.
 */
const EXPECTED: Readonly<Record<ListingStatus, Readonly<Record<ListingEvent, ListingStatus | null>>>> = {
  'in-review': {
    'review-passed': 'listed',
    'review-failed': 'rejected',
    'material-change': 'in-review',
    'delta-change': 'in-review',
    delisted: 'delisted',
    relisted: null,
    'relisted-unreviewed': null,
  },
  listed: {
    'review-passed': null,
    'review-failed': null,
    'material-change': 'in-review',
    'delta-change': 'listed',
    delisted: 'delisted',
    relisted: null,
    'relisted-unreviewed': null,
  },
  rejected: {
    'review-passed': null,
    'review-failed': null,
    'material-change': 'in-review',
    'delta-change': 'rejected',
    delisted: 'delisted',
    relisted: null,
    'relisted-unreviewed': null,
  },
  delisted: {
    'review-passed': null,
    'review-failed': null,
    'material-change': 'delisted',
    'delta-change': 'delisted',
    delisted: null,
    relisted: 'listed',
    'relisted-unreviewed': 'in-review',
  },
};

describe('listing lifecycle', () => {
  for (const from of LISTING_STATUSES) {
    for (const event of LISTING_EVENTS) {
      const to = EXPECTED[from][event];
      it(`${from} + ${event} → ${to ?? 'refused'}`, () => {
        const moved = nextListingStatus(from, event);
        if (to === null) assert.deepEqual(moved, { ok: false, error: { kind: 'invalid-listing-transition', from, event } });
        else assert.deepEqual(moved, { ok: true, value: to });
      });
    }
  }

  it('maps review outcomes and relisting to their events; only a listed listing is shown', () => {
    assert.equal(reviewEvent('listed'), 'review-passed');
    assert.equal(reviewEvent('rejected'), 'review-failed');
    assert.equal(relistEvent(true), 'relisted');
    assert.equal(relistEvent(false), 'relisted-unreviewed');
    assert.deepEqual(LISTING_STATUSES.filter(isShown), ['listed']);
  });

  it('a listing is shown only while its current version is one that passed the review (random histories)', () => {
    type Step = 'review-pass' | 'review-fail' | 'material' | 'delta' | 'delist' | 'relist';
    const steps: readonly Step[] = ['review-pass', 'review-fail', 'material', 'delta', 'delist', 'relist'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...steps), { maxLength: 60 }), (history) => {
        // A new listing: version 1, in review, nothing passed yet.
        let status: ListingStatus = 'in-review';
        let version = 1;
        let passedVersion = 0;
        for (const step of history) {
          const event: ListingEvent =
            step === 'review-pass' ? reviewEvent('listed')
            : step === 'review-fail' ? reviewEvent('rejected')
            : step === 'material' ? 'material-change'
            : step === 'delta' ? 'delta-change'
            : step === 'delist' ? 'delisted'
            : relistEvent(passedVersion === version);
          const moved = nextListingStatus(status, event);
          if (!moved.ok) continue;
          if (event === 'review-passed') passedVersion = version;
          if (event === 'material-change') version += 1;
          status = moved.value;
          if (isShown(status)) assert.equal(passedVersion, version, `listed at version ${version} after ${history.join(' ')}`);
          // A listing never gets stuck: it can always be shown again, by review or by relisting.
          assert.ok(LISTING_EVENTS.some((e) => nextListingStatus(status, e).ok && e !== 'delta-change'), `${status} has a way out`);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
