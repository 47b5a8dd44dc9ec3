/**
 * The fake Scalingo API as a process, for the e2e harness (test/e2e/scalingo.sh). SIMULATED: a contract test double
 * of Scalingo's public API (server.ts), not Scalingo. Time runs on the wall clock with provisioning and plan changes
 * compressed to seconds; no faults are injected (the unit tests and the fault run do that).
 *
 * Environment:
 *   FAKE_SCALINGO_HOST            the IPv4 address to listen on and to name in its URLs (default 127.0.0.1; the
 *                                 harness gives the node's address when provider-scalingo runs as a pod)
 *   FAKE_SCALINGO_PORT            port (0: any free port; the URL is printed either way)
 *   FAKE_SCALINGO_PROVISION_MS    how long a new database stays "creating" (default 3000; Scalingo: minutes)
 *   FAKE_SCALINGO_PLAN_CHANGE_MS  how long a plan change keeps it "updating" (default 5000; Scalingo: ~20 minutes)
 *   FAKE_SCALINGO_DB_PORT         the port the databases' URLs name (default 30123, as Scalingo's high ports)
 */
import { FakeScalingoServer } from './server.js';
import { FakeScalingoState } from './state.js';

function nonNegativeInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const state = new FakeScalingoState(
    { now: () => Date.now() },
    { provisionMs: nonNegativeInt('FAKE_SCALINGO_PROVISION_MS', 3000), planChangeMs: nonNegativeInt('FAKE_SCALINGO_PLAN_CHANGE_MS', 5000) },
  );
  state.databasePort = nonNegativeInt('FAKE_SCALINGO_DB_PORT', 30123);
  const server = new FakeScalingoServer(state);
  const url = await server.start(nonNegativeInt('FAKE_SCALINGO_PORT', 0), process.env.FAKE_SCALINGO_HOST || '127.0.0.1');
  console.log(JSON.stringify({ msg: 'SIMULATED Scalingo API (contract test double) listening', url, timings: state.timings }));
  // One line per request, for the harness's logs (the server records them; nothing else reads this).
  let logged = 0;
  const flush = () => {
    for (; logged < server.calls.length; logged++) console.log(JSON.stringify({ call: server.calls[logged] }));
  };
  const ticker = setInterval(flush, 500);
  const stop = () => {
    clearInterval(ticker);
    flush();
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(JSON.stringify({ level: 'fatal', msg: error instanceof Error ? error.message : String(error) }));
  process.exit(1);
});
