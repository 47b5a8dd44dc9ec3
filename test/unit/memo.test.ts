import { memoize } from '../../src/util/memo.js';

describe('memoize', () => {
  it('computes each key once, including answers that are undefined', () => {
    const calls: string[] = [];
    const f = memoize((key: string) => {
      calls.push(key);
      return key === 'none' ? undefined : key.length;
    });
    expect([f('ab'), f('ab'), f('none'), f('none'), f('abc')]).toEqual([2, 2, undefined, undefined, 3]);
    expect(calls).toEqual(['ab', 'none', 'abc']);
  });

  it('forgets everything when full, so memory stays bounded', () => {
    const calls: string[] = [];
    const f = memoize((key: string) => calls.push(key), 2);
    f('a');
    f('b');
    f('c'); // full: cleared, then c kept
    f('c');
    f('a');
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });
});
