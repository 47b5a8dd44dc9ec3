/**
 * The provider process's control loop: informers on Databases, ProviderConfigs and usages feed two work queues
 * (bounded concurrency, per-key backoff); each Database key is read fresh, its config resolved to a cached Scalingo
 * client, and reconciled by the pure-ish core in ../reconciler.
 */
import { makeInformer, type Informer, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { databaseSpec } from '../api/database.js';
import { setCondition } from '../reconciler/conditions.js';
import { reconcile, type ReconcileContext } from '../reconciler/reconcile.js';
import type { DatabaseResource } from '../reconciler/resource.js';
import { ScalingoClient } from '../scalingo/client.js';
import { httpCode, ours, type KubeApis } from './kube.js';
import { KubeStore } from './kube-store.js';
import type { ProviderMetrics } from './metrics.js';
import { providerConfigActions, resolveClientConfig } from './provider-configs.js';
import { WorkQueue } from './workqueue.js';

export interface ControllerOptions {
  concurrency: number;
  pollIntervalMs: number;
  busyPollMs: number;
  createSettleMs: number;
}

const MAX_CACHED_CLIENTS = 200;

export class Controller {
  readonly databases: WorkQueue;
  readonly configs: WorkQueue;
  private readonly informers: Informer<KubernetesObject>[] = [];
  private readonly clients = new Map<string, ScalingoClient>();
  private readonly store: KubeStore;
  /** Watches that have listed and connected; ready when all of them have. */
  private readonly connected = new Set<string>();
  private started = false;
  /** The last generation/annotations/deletion/finalizers seen per Database. */
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly apis: KubeApis,
    private readonly options: ControllerOptions,
    private readonly metrics: ProviderMetrics,
    private readonly log: Logger,
  ) {
    this.store = new KubeStore(apis);
    this.databases = new WorkQueue({ concurrency: options.concurrency, backoffBaseMs: 1000, backoffMaxMs: 5 * 60_000 }, (key) => this.reconcileDatabase(key));
    this.configs = new WorkQueue({ concurrency: 2, backoffBaseMs: 1000, backoffMaxMs: 60_000 }, (key) => this.reconcileConfig(key));
  }

  private client(key: string, config: ConstructorParameters<typeof ScalingoClient>[0]): ScalingoClient {
    let client = this.clients.get(key);
    if (!client) {
      if (this.clients.size >= MAX_CACHED_CLIENTS) this.clients.clear();
      client = new ScalingoClient({ ...config, http: { observe: (operation, status, seconds) => this.metrics.apiLatency.observe({ operation, status: String(status) }, seconds) } });
      this.clients.set(key, client);
    }
    return client;
  }

  async reconcileDatabase(key: string): Promise<{ requeueAfterMs?: number; failed?: boolean }> {
    const [namespace, name] = key.split('/') as [string, string];
    let resource: DatabaseResource;
    try {
      resource = (await this.apis.custom.getNamespacedCustomObject({ ...ours, namespace, plural: 'databases', name })) as DatabaseResource;
    } catch (error) {
      if (httpCode(error) === 404) return {};
      throw error;
    }
    // Defaults the API server applied are in the object; parse anyway so a bad object fails with the field's name.
    const parsed = databaseSpec.safeParse(resource.spec);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const message = `spec.${issue?.path.join('.')}: ${issue?.message}`;
      const conditions = setCondition(resource.status?.conditions, { type: 'Synced', status: 'False', reason: 'ReconcileError', message }, new Date().toISOString(), resource.metadata.generation);
      await this.store.updateStatus({ ...resource, status: { ...resource.status, conditions } });
      this.metrics.errors.inc();
      return { failed: true };
    }
    resource = { ...resource, spec: parsed.data };
    const started = process.cpuUsage();
    let outcome;
    try {
      const { key: clientKey, config } = await resolveClientConfig(this.apis, resource);
      const context: ReconcileContext = { api: this.client(clientKey, config), store: this.store, now: Date.now, ...this.options };
      outcome = await reconcile(context, resource);
    } catch (error) {
      // Config or Secret problems: report them on the resource as crossplane-runtime does, then back off.
      const message = error instanceof Error ? error.message : String(error);
      outcome = { result: 'error' as const, error: new Error(`cannot connect to Scalingo: ${message}`) };
      const conditions = setCondition(resource.status?.conditions, { type: 'Synced', status: 'False', reason: 'ReconcileError', message: outcome.error.message }, new Date().toISOString(), resource.metadata.generation);
      await this.store.updateStatus({ ...resource, status: { ...resource.status, conditions } }).catch(() => undefined);
    }
    const cpu = process.cpuUsage(started);
    this.metrics.reconciles.inc({ result: outcome.result });
    if (outcome.error) this.metrics.errors.inc();
    this.log.info({ resource: key, result: outcome.result, error: outcome.error?.message, cpuMs: (cpu.user + cpu.system) / 1000 }, 'reconciled Database');
    return outcome.error ? { failed: true } : outcome.requeueAfterMs === undefined ? {} : { requeueAfterMs: outcome.requeueAfterMs };
  }

  /** key: "ProviderConfig/<namespace>/<name>" or "ClusterProviderConfig//<name>". */
  async reconcileConfig(key: string): Promise<{ failed?: boolean }> {
    const [kind, namespace, name] = key.split('/') as [string, string, string];
    const plural = kind === 'ClusterProviderConfig' ? 'clusterproviderconfigs' : 'providerconfigs';
    let config: { metadata: { name: string; finalizers?: string[]; deletionTimestamp?: string }; spec: unknown; status?: Record<string, unknown> };
    try {
      config = (kind === 'ClusterProviderConfig'
        ? await this.apis.custom.getClusterCustomObject({ ...ours, plural, name })
        : await this.apis.custom.getNamespacedCustomObject({ ...ours, namespace, plural, name })) as typeof config;
    } catch (error) {
      if (httpCode(error) === 404) return {};
      throw error;
    }
    const usages = (await this.apis.custom.listClusterCustomObject({ ...ours, plural: 'providerconfigusages' })) as {
      items: { metadata: { namespace: string }; providerConfigRef: { kind: string; name: string } }[];
    };
    const users = usages.items.filter((usage) => usage.providerConfigRef.kind === kind && usage.providerConfigRef.name === name && (kind === 'ClusterProviderConfig' || usage.metadata.namespace === namespace)).length;
    const actions = providerConfigActions(config, users);
    const body = { ...config, metadata: { ...config.metadata, finalizers: actions.finalizers } };
    if ((config.metadata.finalizers ?? []).join() !== actions.finalizers.join()) {
      const updated = kind === 'ClusterProviderConfig'
        ? await this.apis.custom.replaceClusterCustomObject({ ...ours, plural, name, body })
        : await this.apis.custom.replaceNamespacedCustomObject({ ...ours, namespace, plural, name, body });
      if (actions.finalizers.length === 0 && config.metadata.deletionTimestamp) return {};
      Object.assign(config, updated);
    }
    if (config.status?.users !== users) {
      const statusBody = { ...config, status: { ...config.status, users } };
      if (kind === 'ClusterProviderConfig') await this.apis.custom.replaceClusterCustomObjectStatus({ ...ours, plural, name, body: statusBody });
      else await this.apis.custom.replaceNamespacedCustomObjectStatus({ ...ours, namespace, plural, name, body: statusBody });
    }
    return {};
  }

  private watch(plural: string, onEvent: (object: KubernetesObject & Record<string, unknown>) => void): Informer<KubernetesObject> {
    const informer = makeInformer<KubernetesObject>(
      this.apis.config,
      `/apis/${ours.group}/${ours.version}/${plural}`,
      () => this.apis.custom.listClusterCustomObject({ ...ours, plural }) as never,
    );
    for (const verb of ['add', 'update', 'delete'] as const) informer.on(verb, (object) => onEvent(object as KubernetesObject & Record<string, unknown>));
    informer.on('connect', () => this.connected.add(plural));
    informer.on('error', (error) => {
      this.connected.delete(plural);
      if (this.stopping) return;
      this.log.warn({ plural, error: String(error) }, 'watch failed; restarting in 5s');
      setTimeout(() => void (this.stopping ? undefined : informer.start().catch(() => undefined)), 5000).unref();
    });
    this.informers.push(informer);
    return informer;
  }

  async start(): Promise<void> {
    const dbKey = (object: KubernetesObject) => `${object.metadata?.namespace}/${object.metadata?.name}`;
    this.watch('databases', (object) => {
      // Our own status writes come back as events; only what a user or Crossplane changes needs a reconcile now.
      const key = dbKey(object);
      const metadata = object.metadata;
      const fingerprint = JSON.stringify([metadata?.generation, metadata?.annotations, metadata?.deletionTimestamp, metadata?.finalizers]);
      if (this.seen.get(key) === fingerprint) return;
      this.seen.set(key, fingerprint);
      this.databases.add(key);
    });
    this.watch('providerconfigs', (object) => this.configs.add(`ProviderConfig/${object.metadata?.namespace}/${object.metadata?.name}`));
    this.watch('clusterproviderconfigs', (object) => this.configs.add(`ClusterProviderConfig//${object.metadata?.name}`));
    this.watch('providerconfigusages', (object) => {
      const ref = object.providerConfigRef as { kind: string; name: string } | undefined;
      if (ref) this.configs.add(ref.kind === 'ClusterProviderConfig' ? `ClusterProviderConfig//${ref.name}` : `ProviderConfig/${object.metadata?.namespace}/${ref.name}`);
    });
    await Promise.all(this.informers.map((informer) => this.startWithRetry(informer)));
    this.started = true;
  }

  get synced(): boolean {
    return this.started && !this.stopping && this.connected.size === this.informers.length;
  }

  private stopping = false;

  /** The API server may not answer yet (provider pod starting first): keep trying; /readyz says not ready meanwhile. */
  private async startWithRetry(informer: Informer<KubernetesObject>): Promise<void> {
    while (!this.stopping) {
      try {
        await informer.start();
        return;
      } catch (error) {
        this.log.warn({ error: error instanceof Error ? error.message : String(error) }, 'cannot list from the API server; retrying in 5s');
        await new Promise((resolve) => setTimeout(resolve, 5000).unref());
      }
    }
  }

  /** Graceful: stop watching, let reconciles in flight finish (their writes are what makes a crash safe anyway). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.informers.map((informer) => informer.stop().catch(() => undefined)));
    await Promise.all([this.databases.shutDown(), this.configs.shutDown()]);
  }
}
