/**
 * One Grafana dashboard per instance, for the team that owns it: the few graphs that answer "is my database healthy"
 * (connections, transactions, replication lag, disk, cache hit ratio, backup age). The Prometheus data source is a
 * dashboard variable, so the dashboard works whatever the platform named its data source.
 */
import { select, type MonitoredSeries } from './monitoring-rules.js';
import { shortHash } from './names.js';
import type { Instance } from '../api/parse.js';

/** The dashboard JSON model Grafana imports; only what we set. */
interface Panel {
  readonly id: number;
  readonly type: 'timeseries' | 'stat';
  readonly title: string;
  readonly description: string;
  readonly datasource: { type: 'prometheus'; uid: '${datasource}' };
  readonly gridPos: { h: number; w: number; x: number; y: number };
  readonly fieldConfig: { defaults: { unit: string; min?: number; max?: number }; overrides: [] };
  readonly targets: { refId: string; expr: string; legendFormat: string }[];
}

interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly expr: string;
  readonly legend: string;
  readonly type?: Panel['type'];
  readonly range?: { min: number; max: number };
}

const WIDTH = 12;
const HEIGHT = 8;

function panels(s: MonitoredSeries, backupEnabled: boolean): PanelSpec[] {
  const m = s.metrics;
  const on = { namespace: s.namespace, pod: `~${s.pods}` };
  const volumes = `namespace="${s.namespace}",persistentvolumeclaim=~"${s.volumes}"`;
  const specs: PanelSpec[] = [
    {
      title: 'Connections',
      description: 'Open connections per pod, over all databases.',
      unit: 'short',
      expr: `sum by (pod) (${select(m.backends, on)})`,
      legend: '{{pod}}',
    },
    {
      title: 'Transactions per second',
      description: 'Commits and rollbacks per second, per pod.',
      unit: 'ops',
      expr: `sum by (pod) (rate(${select(m.commits, on)}[5m]) + rate(${select(m.rollbacks, on)}[5m]))`,
      legend: '{{pod}}',
    },
    {
      title: 'Replication lag',
      description: 'How far each replica is behind the primary.',
      unit: 's',
      expr: `max by (pod) (${select(m.replicationLag, on)})`,
      legend: '{{pod}}',
    },
    {
      title: 'Disk used',
      description: 'Share of each data volume in use.',
      unit: 'percentunit',
      expr: `1 - kubelet_volume_stats_available_bytes{${volumes}} / kubelet_volume_stats_capacity_bytes{${volumes}}`,
      legend: '{{persistentvolumeclaim}}',
      range: { min: 0, max: 1 },
    },
    {
      title: 'Cache hit ratio',
      description: 'Share of block reads served from shared buffers; below 0.99 the working set may not fit in memory.',
      unit: 'percentunit',
      expr:
        `sum by (pod) (rate(${select(m.blocksHit, on)}[5m])) / ` +
        `(sum by (pod) (rate(${select(m.blocksHit, on)}[5m])) + sum by (pod) (rate(${select(m.blocksRead, on)}[5m])))`,
      legend: '{{pod}}',
      range: { min: 0, max: 1 },
    },
  ];
  if (backupEnabled && s.backup.kind !== 'none') {
    specs.push({
      title: 'Last successful backup',
      description: 'Age of the last base backup that completed.',
      unit: 's',
      type: 'stat',
      expr:
        s.backup.kind === 'cronjob'
          ? `time() - max(kube_cronjob_status_last_successful_time{namespace="${s.namespace}",cronjob="${s.backup.cronJob}"})`
          : `time() - max(${select(s.backup.lastBackup, on)} > 0)`,
      legend: 'age',
    });
  }
  return specs;
}

function panel(spec: PanelSpec, index: number): Panel {
  return {
    id: index + 1,
    type: spec.type ?? 'timeseries',
    title: spec.title,
    description: spec.description,
    datasource: { type: 'prometheus', uid: '${datasource}' },
    gridPos: { h: HEIGHT, w: WIDTH, x: (index % 2) * WIDTH, y: Math.floor(index / 2) * HEIGHT },
    fieldConfig: { defaults: { unit: spec.unit, ...(spec.range ?? {}) }, overrides: [] },
    targets: [{ refId: 'A', expr: spec.expr, legendFormat: spec.legend }],
  };
}

/** Stable across reconciles and distinct per instance: Grafana keys dashboards by uid (at most 40 characters). */
export function dashboardUid(instance: DashboardOwner): string {
  return `pg-${shortHash(`${instance.namespace}/${instance.claimName}`, 16)}`;
}

/** All a dashboard needs to know of its instance. */
export type DashboardOwner = Pick<Instance, 'namespace' | 'claimName'>;

export function dashboard(instance: DashboardOwner, series: MonitoredSeries, backupEnabled: boolean): Record<string, unknown> {
  return {
    uid: dashboardUid(instance),
    title: `PostgreSQL ${instance.namespace}/${instance.claimName}`,
    tags: ['postgresql', 'dbaas'],
    editable: false,
    schemaVersion: 39,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    templating: {
      list: [{ name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0 }],
    },
    panels: panels(series, backupEnabled).map(panel),
  };
}
