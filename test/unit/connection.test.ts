import { connectionValues, prefixedKey } from '../../src/compose/connection.js';
import { runFunction } from '../../src/function.js';
import { seededRandom } from '../../src/util/random.js';
import { claim, firstRequest, secretValue } from '../support/requests.js';

const endpoint = { host: 'db.ns.svc.cluster.local', port: 5432 };

describe('connection values', () => {
  it.each([
    ['host', 'db.ns.svc.cluster.local'],
    ['port', '5432'],
    ['database', 'shop_main'],
    ['username', 'postgres'],
    ['password', 'p@ss/w:rd?'],
    ['uri', 'postgresql://postgres:p%40ss%2Fw%3Ard%3F@db.ns.svc.cluster.local:5432/shop_main?sslmode=require'],
    ['jdbcUrl', 'jdbc:postgresql://db.ns.svc.cluster.local:5432/shop_main?sslmode=require'],
  ])('%s', (key, value) => {
    const values = connectionValues(endpoint, { database: 'shop_main', username: 'postgres', password: 'p@ss/w:rd?' });
    expect(values[key]).toBe(value);
  });

  it('has exactly the plain keys without a prefix', () => {
    const values = connectionValues(endpoint, { database: 'd', username: 'u', password: 'p' });
    expect(Object.keys(values).sort()).toEqual(['database', 'host', 'jdbcUrl', 'password', 'port', 'uri', 'username']);
  });

  it.each([
    ['host', 'PG_HOST'],
    ['uri', 'PG_URL'],
    ['jdbcUrl', 'PG_JDBC_URL'],
    ['password', 'PG_PASSWORD'],
  ])('with prefix PG, %s is also %s', (plain, prefixed) => {
    const values = connectionValues(endpoint, { database: 'd', username: 'u', password: 'p' }, 'PG');
    expect(prefixedKey('PG', plain)).toBe(prefixed);
    expect(values[prefixed]).toBe(values[plain]);
  });

  it('the connection secret is in the claim namespace, named after the claim, and the XR gets the same details', () => {
    const rsp = runFunction(firstRequest(claim({ databases: [{ name: 'first_db' }, { name: 'second' }] }, 'orders', 'shop')), {
      random: seededRandom('s'),
    });
    const secret = rsp.desired!.resources['connection-secret']!.resource!;
    expect(secret['metadata']).toMatchObject({ name: 'orders-connection', namespace: 'shop' });
    expect(secretValue(rsp, 'connection-secret', 'database')).toBe('first_db');
    const details = rsp.desired!.composite!.connectionDetails;
    expect(details['uri']!.toString()).toBe(secretValue(rsp, 'connection-secret', 'uri'));
  });

  it('uses the claimed secret name', () => {
    const rsp = runFunction(firstRequest(claim({ connectionSecret: { name: 'my-db-creds' } })));
    expect(rsp.desired!.resources['connection-secret']!.resource!['metadata']).toMatchObject({ name: 'my-db-creds' });
  });
});
