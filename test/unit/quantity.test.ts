import { binaryQuantity, bytes } from '../../src/util/quantity.js';

/** The size fields' quantities (the schema allows `<number>Mi|Gi|Ti`) and what the API server writes on volumes, in
 *  bytes worked out by hand. */
describe('bytes', () => {
  it.each<[string, number | undefined]>([
    ['512Mi', 536_870_912],
    ['1Gi', 1_073_741_824],
    ['1.5Gi', 1_610_612_736],
    ['0.5Ti', 549_755_813_888],
    ['2Ki', 2_048],
    ['50Gi', 53_687_091_200],
    // A PVC's request or capacity may be plain bytes or decimal.
    ['1G', 1_000_000_000],
    ['1024', 1_024],
    ['805306368', 805_306_368],
    ['2k', 2_000],
    // Not a quantity of bytes: compares as unknown, never as 0.
    ['300m', undefined],
    ['1Ei', undefined],
    ['-1Gi', undefined],
    ['1.Gi', undefined],
    ['1e3Mi', undefined],
    ['', undefined],
  ])('%j → %p', (quantity, expected) => {
    expect(bytes(quantity)).toBe(expected);
  });
});

describe('binaryQuantity', () => {
  it.each<[number, string]>([
    [805_306_368, '768Mi'],
    [1_073_741_824, '1Gi'],
    [1_610_612_736, '1536Mi'],
    [2_199_023_255_552, '2Ti'],
    // Not whole MiB: rounded up, so a size made from it is never smaller.
    [1_000_000_000, '954Mi'],
  ])('%d → %s', (n, expected) => {
    expect(binaryQuantity(n)).toBe(expected);
  });
});
