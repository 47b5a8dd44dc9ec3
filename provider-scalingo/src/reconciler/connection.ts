/**
 * The connection Secret's keys, from Scalingo's SCALINGO_POSTGRESQL_URL: username/password/endpoint/port are what
 * provider-sql's ProviderConfig reads; host, database and url complete the set every engine of the function offers.
 */
export function connectionDetails(url: string): Record<string, string> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw new Error(`connection URL has protocol ${parsed.protocol}, want postgres:`);
  const username = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  return {
    username,
    password,
    endpoint: parsed.hostname,
    host: parsed.hostname,
    port: parsed.port || '5432',
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')),
    url,
  };
}
