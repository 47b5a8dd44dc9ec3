import type { Instance } from '../../src/api/parse.js';
import { baseName, fitName, labelValue, objectName } from '../../src/compose/names.js';

const instance = (claimName: string) => ({ claimName, namespace: 'ns', xrName: `${claimName}-abcde` }) as Instance;

describe('names', () => {
  it.each([
    ['orders', 'orders'],
    ['orders-db', 'orders-db'],
    ['9lives', 'pg-9lives-'],
    ['my.db', 'my-db-'],
    ['a'.repeat(60), 'a'.repeat(31) + '-'],
  ])('claim %s gives a base starting %s', (claimName, start) => {
    const base = baseName(instance(claimName));
    expect(base.startsWith(start)).toBe(true);
    expect(base).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    expect(base.length).toBeLessThanOrEqual(40);
  });

  it('keeps sanitised names apart: my.db and my-db differ', () => {
    expect(baseName(instance('my.db'))).not.toBe(baseName(instance('my-db')));
  });

  it('keeps long names apart by their hash', () => {
    expect(baseName(instance('a'.repeat(50) + 'x'))).not.toBe(baseName(instance('a'.repeat(50) + 'y')));
  });

  it('fits every name in 63 characters', () => {
    expect(objectName(instance('b'.repeat(200)), 'superuser').length).toBeLessThanOrEqual(63);
    expect(fitName('c'.repeat(100)).length).toBe(63);
    expect(fitName('short')).toBe('short');
  });

  it('is deterministic', () => {
    expect(objectName(instance('x'.repeat(90)), 'connection')).toBe(objectName(instance('x'.repeat(90)), 'connection'));
  });

  it.each([
    ['billing_app', 'billing_app'],
    ['my.db', 'my.db'],
    ['', ''],
    // 70 characters (a 63-character SQL name with `_` made a Kubernetes name part): cut to 54, a hash of the whole
    ['u'.repeat(49) + '-x' + '-abcdef' + 'y'.repeat(12), 'u'.repeat(49) + '-x-ab-'],
    ['-leading-and-trailing-', 'leading-and-trailing-'],
  ])('label value for %j starts %j and is one the API server accepts', (text, start) => {
    const value = labelValue(text);
    expect(value.startsWith(start)).toBe(true);
    expect(value.length).toBeLessThanOrEqual(63);
    expect(value).toMatch(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/);
  });
});
