/**
 * Monitoring of one instance for the platform's Prometheus Operator and Grafana: a PodMonitor that scrapes the
 * database pods' metrics exporter, a PrometheusRule with the instance's alerts, and a ConfigMap holding a Grafana
 * dashboard that Grafana's sidecar picks up. All three live in the claim's namespace, next to the database, and carry
 * labels the platform's Prometheus selects them by. Nothing is composed when the claim turns monitoring off.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Instance } from '../api/parse.js';
import { sortKeys } from '../util/canonical.js';
import { cronIntervalSeconds } from '../util/cron.js';
import { memoize } from '../util/memo.js';
import { backupSchedule as backupScheduleOf } from './backup.js';
import type { DatabaseEngine } from '../engines/engine.js';
import { commonLabels } from './labels.js';
import { dashboard } from './monitoring-dashboard.js';
import { alertRules, DEFAULT_REPLICATION_LAG_SECONDS, type AlertOptions, type MonitoredSeries } from './monitoring-rules.js';
import { objectName } from './names.js';
import type { ComposeContext, ComposedSet, KubeObject } from './types.js';

export const MONITORING_KEYS = {
  podMonitor: 'pod-monitor',
  prometheusRule: 'prometheus-rule',
  dashboard: 'grafana-dashboard',
} as const;

/** What the platform's Prometheus selects PodMonitors and PrometheusRules by (podMonitorSelector, ruleSelector). */
export const MONITORING_LABELS: Readonly<Record<string, string>> = { 'dbaas.dev/monitoring': 'true' };
/** The Grafana sidecar's default: ConfigMaps with this label are loaded as dashboards (kube-prometheus-stack). */
export const GRAFANA_DASHBOARD_LABELS: Readonly<Record<string, string>> = { grafana_dashboard: '1' };

export interface MonitoringOptions extends AlertOptions {
  /** Name of the container port the metrics exporter listens on. */
  readonly metricsPortName: string;
}

/** Everything beyond the context that monitoring needs: where the engine's metrics are, and the backup schedule. */
export function monitoringOptions(ctx: ComposeContext, engine: DatabaseEngine): MonitoringOptions {
  const backupSchedule = ctx.instance.parameters.backup.enabled ? backupScheduleOf(ctx) : undefined;
  return {
    series: engine.monitoredSeries(ctx),
    metricsPortName: engine.metricsPortName,
    backupEnabled: backupSchedule !== undefined,
    backupIntervalSeconds: backupSchedule ? cronIntervalSeconds(backupSchedule) : 0,
    replicationLagSeconds: DEFAULT_REPLICATION_LAG_SECONDS,
  };
}

function metadata(ctx: ComposeContext, suffix: string, extra: Readonly<Record<string, string>>): KubeObject['metadata'] {
  return {
    name: objectName(ctx.instance, suffix),
    namespace: ctx.instance.namespace,
    labels: { ...commonLabels(ctx.instance), ...extra },
  };
}

export function podMonitor(ctx: ComposeContext, engine: DatabaseEngine, options: MonitoringOptions): KubeObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: metadata(ctx, 'metrics', MONITORING_LABELS),
    spec: {
      selector: { matchLabels: engine.podSelector(ctx) },
      namespaceSelector: { matchNames: [ctx.instance.namespace] },
      podMetricsEndpoints: [{ port: options.metricsPortName, path: '/metrics' }],
    },
  };
}

export function prometheusRule(ctx: ComposeContext, options: MonitoringOptions): KubeObject {
  const { metricsPortName: _port, ...alertOptions } = options;
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: metadata(ctx, 'alerts', MONITORING_LABELS),
    spec: { groups: [alertRules(ctx.instance, alertOptions)] },
  };
}

/**
 * Sorted keys and fixed indentation: the same claim gives the same bytes, so Crossplane sees no change to apply.
 * The text depends only on these inputs and is the largest object composed, so it is built once per input.
 */
function dashboardJson(instance: Instance, series: MonitoredSeries, backupEnabled: boolean): string {
  return dashboardText(JSON.stringify([instance.namespace, instance.claimName, series, backupEnabled]));
}

const dashboardText = memoize((key: string) => {
  const [namespace, claimName, series, backupEnabled] = JSON.parse(key) as [string, string, MonitoredSeries, boolean];
  return JSON.stringify(sortKeys(dashboard({ namespace, claimName }, series, backupEnabled)), null, 2);
}, 1024);

export function dashboardConfigMap(ctx: ComposeContext, options: MonitoringOptions): KubeObject {
  const name = objectName(ctx.instance, 'dashboard');
  const json = dashboardJson(ctx.instance, options.series, options.backupEnabled);
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(ctx, 'dashboard', GRAFANA_DASHBOARD_LABELS),
    data: { [`${name}.json`]: json },
  } satisfies V1ConfigMap & KubeObject;
}

export function monitoringResources(
  ctx: ComposeContext,
  engine: DatabaseEngine,
  options: MonitoringOptions = monitoringOptions(ctx, engine),
): ComposedSet {
  if (!ctx.instance.parameters.monitoring.enabled) return {};
  const exists = (key: string) => ctx.observed.resources[key] !== undefined;
  return {
    [MONITORING_KEYS.podMonitor]: { object: podMonitor(ctx, engine, options), ready: exists(MONITORING_KEYS.podMonitor) },
    [MONITORING_KEYS.prometheusRule]: { object: prometheusRule(ctx, options), ready: exists(MONITORING_KEYS.prometheusRule) },
    [MONITORING_KEYS.dashboard]: { object: dashboardConfigMap(ctx, options), ready: exists(MONITORING_KEYS.dashboard) },
  };
}
