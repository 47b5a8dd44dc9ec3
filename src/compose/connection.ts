/**
 * Connection secrets: the keys applications read. Plain keys (host, port, database, username, password, uri, jdbcUrl)
 * always; with a key prefix, the twelve-factor upper-case twins too (PG_HOST … PG_URL, PG_JDBC_URL).
 */
import type { V1Secret } from '@kubernetes/client-node';
import type { Instance } from '../api/parse.js';
import { commonLabels } from './labels.js';
import type { KubeObject } from './types.js';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface Login {
  readonly database: string;
  readonly username: string;
  readonly password: string;
}

/** TLS is on by default on every engine we compose, so clients are told to require it. */
export const SSL_MODE = 'require';

const PREFIXED: Readonly<Record<string, string>> = {
  host: 'HOST',
  port: 'PORT',
  database: 'DATABASE',
  username: 'USERNAME',
  password: 'PASSWORD',
  uri: 'URL',
  jdbcUrl: 'JDBC_URL',
};

export function prefixedKey(prefix: string, key: string): string {
  return `${prefix}_${PREFIXED[key] ?? key.toUpperCase()}`;
}

export function connectionValues(endpoint: Endpoint, login: Login, keyPrefix?: string): Record<string, string> {
  const user = encodeURIComponent(login.username);
  const database = encodeURIComponent(login.database);
  const values: Record<string, string> = {
    host: endpoint.host,
    port: String(endpoint.port),
    database: login.database,
    username: login.username,
    password: login.password,
    uri: `postgresql://${user}:${encodeURIComponent(login.password)}@${endpoint.host}:${endpoint.port}/${database}?sslmode=${SSL_MODE}`,
    // No credentials in the JDBC URL: drivers and frameworks take them separately, and URLs end up in logs.
    jdbcUrl: `jdbc:postgresql://${endpoint.host}:${endpoint.port}/${database}?sslmode=${SSL_MODE}`,
  };
  if (keyPrefix) {
    for (const [key, value] of Object.entries({ ...values })) values[prefixedKey(keyPrefix, key)] = value;
  }
  return values;
}

export function secretObject(
  instance: Instance,
  name: string,
  values: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>> = {},
): KubeObject {
  const data: Record<string, string> = {};
  for (const key of Object.keys(values).sort()) data[key] = Buffer.from(values[key]!, 'utf8').toString('base64');
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: instance.namespace, labels: { ...commonLabels(instance), ...labels } },
    type: 'Opaque',
    data,
  } satisfies V1Secret;
  return secret;
}

/** The key names of the AWS RDS operator some applications were built against (platform option `awsSeedKeys`). */
export function awsSeedValues(endpoint: Endpoint, login: Login): Record<string, string> {
  return { DB_HOST: endpoint.host, DB_PORT: String(endpoint.port), DB_NAME: login.database, DB_USER: login.username, DB_PASSWORD: login.password };
}
