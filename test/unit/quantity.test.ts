import { bytes } from '../../src/util/quantity.js';

/** The size fields' quantities (the schema allows `<number>Mi|Gi|Ti`), in bytes worked out by hand. */
describe('bytes', () => {
  it.each<[string, number | undefined]>([
    ['512Mi', 536_870_912],
    ['1Gi', 1_073_741_824],
    ['1.5Gi', 1_610_612_736],
    ['0.5Ti', 549_755_813_888],
    ['2Ki', 2_048],
    ['50Gi', 53_687_091_200],
    // Not a binary-suffixed quantity: no size field takes these, so they compare as unknown, never as 0.
    ['300m', undefined],
    ['1G', undefined],
    ['1024', undefined],
    ['-1Gi', undefined],
    ['1.Gi', undefined],
    ['1e3Mi', undefined],
    ['', undefined],
  ])('%j → %p', (quantity, expected) => {
    expect(bytes(quantity)).toBe(expected);
  });
});
