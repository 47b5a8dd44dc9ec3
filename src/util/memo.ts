/**
 * Remembers a pure function's answers by a string key. Every steady reconcile asks the same questions again (the
 * same names to hash, the same schedule, the same dashboard), so answers are kept; the cache is emptied when it
 * reaches `limit` entries, which bounds memory however many claims the function serves.
 */
export function memoize<T>(compute: (key: string) => T, limit = 4096): (key: string) => T {
  const cache = new Map<string, T>();
  return (key: string): T => {
    let value = cache.get(key);
    if (value === undefined && !cache.has(key)) {
      value = compute(key);
      if (cache.size >= limit) cache.clear();
      cache.set(key, value);
    }
    return value as T;
  };
}
