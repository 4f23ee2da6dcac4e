import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { writePayoutFile } from './payout-file.ts';
import type { MerchantId, PayoutAttempt, PayoutId, PayoutRun } from './types.ts';

const run: PayoutRun = { businessDay: '2026-11-25', valueDate: '2026-11-26', createdAt: '2026-11-25T16:00:00.000Z' };
const attempt = (merchantId: string, amountKrw: bigint, overrides: Partial<PayoutAttempt> = {}): PayoutAttempt => ({
  payoutId: `PO20261125${merchantId}` as PayoutId,
  attempt: 1,
  businessDay: run.businessDay,
  valueDate: run.valueDate,
  merchantId: merchantId as MerchantId,
  settlementAccount: { bankCode: '004', accountNumber: '123-456', holderName: 'Kim' },
  amountKrw,
  outcome: 'pending',
  reason: null,
  hold: false,
  createdAt: run.createdAt,
  resolvedAt: null,
  ...overrides,
});

describe('payout file', () => {
  it('writes the same bytes whatever the order it is given, quoting what must be quoted', () => {
    const lines = [
      attempt('KR01M000002', 5n, { settlementAccount: { bankCode: '088', accountNumber: '1', holderName: ' 김, "Lee" ' } }),
      attempt('KR01M000001', 70_000n, { payoutId: 'PO20261120KR01M000001' as PayoutId, attempt: 3 }),
      attempt('KR01M000001', 1_000n),
    ];
    const file = writePayoutFile(run, lines);
    assert.deepEqual(writePayoutFile(run, [...lines].reverse()), file);
    const sealed =
      'HEADER,DARI-PAYOUT,1,2026-11-25,2026-11-26,2026-11-25T16:00:00.000Z\r\n' +
      'DETAIL,KR01M000001,004,123-456,Kim,70000,KRW,PO20261120KR01M000001,2026-11-26,3\r\n' +
      'DETAIL,KR01M000001,004,123-456,Kim,1000,KRW,PO20261125KR01M000001,2026-11-26,1\r\n' +
      'DETAIL,KR01M000002,088,1," 김, ""Lee"" ",5,KRW,PO20261125KR01M000002,2026-11-26,1\r\n' +
      'TRAILER,3,71005,';
    const checksum = createHash('sha256').update(Buffer.from(sealed, 'utf8')).digest('hex');
    assert.deepEqual(file, { text: `${sealed}${checksum}\r\n`, detailCount: 3, totalKrw: 71_005n, checksum });
  });

  it('writes an empty run as a header and a zero trailer', () => {
    const file = writePayoutFile(run, []);
    assert.match(file.text, /^HEADER,[^\r\n]*\r\nTRAILER,0,0,[0-9a-f]{64}\r\n$/);
  });

  it('treats a line that does not fit the format as a bug', () => {
    for (const bad of [
      attempt('KR01M000001', 0n),
      attempt('KR01M000001', 1n, { businessDay: '2026-11-24' }),
      attempt('KR01M000001', 1n, { settlementAccount: { bankCode: '004', accountNumber: '1', holderName: 'Kim\r\nDETAIL' } }),
      attempt('KR01M000001', 1n, { settlementAccount: { bankCode: '004', accountNumber: '1', holderName: '' } }),
    ]) {
      assert.throws(() => writePayoutFile(run, [bad]), /assertion failed/);
    }
  });
});
