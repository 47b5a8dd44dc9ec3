/**
 * provider-scalingo: one process that reconciles scalingo.dbaas.dev Databases. Configuration by environment:
 * POLL_INTERVAL_SECONDS (60), MAX_RECONCILE_CONCURRENCY (10), HEALTH_PORT (8080), LOG_LEVEL (info), KUBECONFIG.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { Controller } from './controller/controller.js';
import { healthServer } from './controller/health.js';
import { kubeApis } from './controller/kube.js';
import { ProviderMetrics } from './controller/metrics.js';
import { createLogger } from './log.js';

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const log = createLogger();
  const config = new KubeConfig();
  config.loadFromDefault();
  const metrics = new ProviderMetrics();
  const pollIntervalMs = positiveInt('POLL_INTERVAL_SECONDS', 60) * 1000;
  const controller = new Controller(
    kubeApis(config),
    { concurrency: positiveInt('MAX_RECONCILE_CONCURRENCY', 10), pollIntervalMs, busyPollMs: Math.min(15_000, pollIntervalMs), createSettleMs: 120_000 },
    metrics,
    log,
  );
  let shuttingDown = false;
  const server = healthServer(metrics, () => controller.synced && !shuttingDown);
  server.listen(positiveInt('HEALTH_PORT', 8080));

  const shutDown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down: finishing reconciles in flight');
    await controller.stop();
    server.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutDown('SIGTERM'));
  process.on('SIGINT', () => void shutDown('SIGINT'));

  await controller.start();
  log.info({ pollIntervalMs }, 'provider-scalingo started');
}

main().catch((error: unknown) => {
  console.error(JSON.stringify({ level: 'fatal', msg: error instanceof Error ? error.message : String(error) }));
  process.exit(1);
});
