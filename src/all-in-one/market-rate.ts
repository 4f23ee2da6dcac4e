/**
 * The marketplace's review settings in the all-in-one deployment: the
 * network's CNY/KRW rate in force, turned round to KRW → CNY, and the
 * single-order limit. The marketplace is not a participant of the network
 * yet, so it does not ask for the rate over signed HTTP (marketplace README,
 * "Not yet"); the composition reads the network's published rates and hands
 * the marketplace the one in force, at the start of each syndication pass and
 * each storefront read, so a new rate reaches the next of each.
 */
import { currency, invertRate, parseRate } from '../money/index.ts';
import { CROSS_BORDER_ORDER_LIMIT_CNY, type ReviewSettings } from '../marketplace/index.ts';
import type { FxRateRecord } from '../network/index.ts';

/** Rates read from the network, newest recorded first, to find the one in force: the demo publishes one pair. */
export const MARKET_RATES_READ_MAX = 100;

const CNY = currency('CNY');
const KRW = currency('KRW');

/**
 * The settings for the CNY/KRW rate in force at `at` among `rates` (newest
 * recorded first, as the network lists them): the latest `validFrom` not after
 * `at`, the last recorded of equals, as the network's own `currentFxRate`
 * chooses. Null when there is none yet. Pure.
 */
export function marketReviewSettings(rates: readonly FxRateRecord[], at: Date): ReviewSettings | null {
  let inForce: FxRateRecord | null = null;
  for (const rate of rates) {
    if (rate.base !== CNY || rate.quote !== KRW || rate.validFrom.getTime() > at.getTime()) continue;
    // Newest recorded first: a later one of the same validFrom was recorded earlier, so only a strictly later validFrom replaces.
    if (inForce === null || rate.validFrom.getTime() > inForce.validFrom.getTime()) inForce = rate;
  }
  if (inForce === null) return null;
  const parsed = parseRate(inForce.rate, { base: CNY, quote: KRW });
  // The network parsed the same text when it was published.
  if (!parsed.ok) throw new Error(`assertion failed: the network's rate ${inForce.rate} parses: ${parsed.error.message}`);
  return { krwToCny: invertRate(parsed.value), orderLimitCny: CROSS_BORDER_ORDER_LIMIT_CNY };
}
