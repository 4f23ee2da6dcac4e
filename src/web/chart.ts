/**
 * The volume chart of the network console, computed here and drawn as inline
 * SVG by the browser: payments summed per hour, bars scaled with bigint
 * arithmetic (an amount never becomes a float, not even to draw it).
 */
import { readWireAmount, type WireAmount } from './money-format.ts';

/** Bars drawn at most: two days of hours. Older buckets are left out. */
export const CHART_BUCKETS_MAX = 48;
export const HOUR_MS = 60 * 60 * 1000;
/** Widest a bar's slot is drawn, in pixels: a lone hour should not fill the chart. */
export const BAR_SLOT_PX_MAX = 48;

export interface VolumeBucket {
  /** Start of the hour, ms since the epoch (UTC). */
  readonly startMs: number;
  readonly total: WireAmount;
  readonly count: number;
}

/**
 * Sums `payments` in `currency` per `bucketMs`, one bucket per interval from
 * the first to the last (empty ones included, so that time reads evenly), at
 * most CHART_BUCKETS_MAX of the newest. Others' currencies and unreadable
 * amounts or times are left out.
 */
export function volumeBuckets(payments: readonly { readonly time: string; readonly amount: WireAmount }[], currency: string, bucketMs: number = HOUR_MS): VolumeBucket[] {
  const sums = new Map<number, { total: bigint; count: number }>();
  for (const payment of payments) {
    const amount = readWireAmount(payment.amount);
    const timeMs = Date.parse(payment.time);
    if (amount === null || amount.currency !== currency || Number.isNaN(timeMs)) continue;
    const start = Math.floor(timeMs / bucketMs) * bucketMs;
    const sum = sums.get(start) ?? { total: 0n, count: 0 };
    sums.set(start, { total: sum.total + amount.value, count: sum.count + 1 });
  }
  if (sums.size === 0) return [];
  const last = Math.max(...sums.keys());
  const first = Math.max(Math.min(...sums.keys()), last - (CHART_BUCKETS_MAX - 1) * bucketMs);
  const buckets: VolumeBucket[] = [];
  for (let start = first; start <= last; start += bucketMs) {
    const sum = sums.get(start) ?? { total: 0n, count: 0 };
    buckets.push({ startMs: start, total: { currency, value: sum.total.toString() }, count: sum.count });
  }
  return buckets;
}

export interface Bar {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly bucket: VolumeBucket;
}

/**
 * Bars in a `width` × `height` plot (whole pixels): the largest bucket is the
 * full height, the others in proportion, rounded down; a non-empty bucket is
 * at least 1 px so that it shows.
 */
export function bars(buckets: readonly VolumeBucket[], plot: { readonly width: number; readonly height: number }): Bar[] {
  const totals = buckets.map((b) => BigInt(b.total.value));
  const max = totals.reduce((a, b) => (b > a ? b : a), 0n);
  const slot = buckets.length === 0 ? 0 : Math.min(BAR_SLOT_PX_MAX, Math.floor(plot.width / buckets.length));
  const gap = slot > 4 ? Math.max(1, Math.floor(slot / 5)) : 0;
  return buckets.map((bucket, i) => {
    const total = totals[i]!;
    const scaled = max === 0n ? 0 : Number((total * BigInt(plot.height)) / max);
    const height = total > 0n ? Math.max(1, scaled) : 0;
    return { x: i * slot + Math.floor(gap / 2), y: plot.height - height, width: Math.max(1, slot - gap), height, bucket };
  });
}
