import { parseInstance, parsePlatform } from '../../src/api/parse.js';
import type { DatabaseEngine } from '../../src/engines/engine.js';
import { engineFor } from '../../src/engines/index.js';
import {
  GRAFANA_DASHBOARD_LABELS,
  MONITORING_KEYS,
  MONITORING_LABELS,
  monitoringOptions,
  monitoringResources,
  type MonitoringOptions,
} from '../../src/compose/monitoring.js';
import type { AlertRule, RuleGroup } from '../../src/compose/monitoring-rules.js';
import type { ComposeContext, ComposedSet, KubeObject } from '../../src/compose/types.js';
import { claimToComposite } from '../../src/render.js';
import { sortKeys } from '../../src/util/canonical.js';
import { cronIntervalSeconds } from '../../src/util/cron.js';
import { crdErrors } from '../support/crds.js';
import { claim, type Doc } from '../support/requests.js';

function context(parameters: Doc, name = 'app-db', namespace = 'team-a', observed: Record<string, Doc> = {}): ComposeContext {
  const composite = claimToComposite(claim(parameters, name, namespace));
  const instance = parseInstance(composite);
  const platform = parsePlatform(undefined);
  if (!instance.ok || !platform.ok) throw new Error('test claim does not parse');
  return {
    instance: instance.value,
    platform: platform.value,
    observed: { composite, resources: observed },
    required: {},
    random: () => new Uint8Array(0),
  };
}

const stackgres = (): DatabaseEngine => engineFor('stackgres')!;
const compose = (parameters: Doc, name?: string, options?: MonitoringOptions): ComposedSet => {
  const ctx = context(parameters, name);
  return monitoringResources(ctx, stackgres(), options ?? monitoringOptions(ctx, stackgres()));
};
const object = (set: ComposedSet, key: string): KubeObject => set[key]!.object;
const group = (set: ComposedSet): RuleGroup => (object(set, MONITORING_KEYS.prometheusRule)['spec'] as { groups: RuleGroup[] }).groups[0]!;
const alert = (set: ComposedSet, name: string): AlertRule | undefined => group(set).rules.find((r) => r.alert === name);
const dashboardJson = (set: ComposedSet): string => Object.values(object(set, MONITORING_KEYS.dashboard)['data'] as Record<string, string>)[0]!;

const ALERTS = [
  'PostgreSQLInstanceDown',
  'PostgreSQLConnectionsNearLimit',
  'PostgreSQLReplicationLag',
  'PostgreSQLTooManyRestarts',
  'PostgreSQLDiskFillingUp',
  'PostgreSQLDiskWillFillIn24h',
  'PostgreSQLBackupTooOld',
];

const CLAIMS: [string, Doc, string?][] = [
  ['defaults', {}],
  ['backups off', { backup: { enabled: false } }],
  ['a six-hourly schedule, three instances', { instances: 3, backup: { schedule: '0 */6 * * *' } }],
  ['a name that is not a DNS label', {}, '1st.db'],
  ['a long name', {}, 'a'.repeat(60)],
];

describe('monitoring objects', () => {
  describe.each(CLAIMS)('%s', (_title, parameters, name) => {
    const set = compose(parameters, name);

    it.each([MONITORING_KEYS.podMonitor, MONITORING_KEYS.prometheusRule])('%s is valid against its CRD', (key) => {
      expect(crdErrors(object(set, key))).toEqual([]);
    });

    it('composes the three keys in the claim namespace with the common labels', () => {
      expect(Object.keys(set).sort()).toEqual(['grafana-dashboard', 'pod-monitor', 'prometheus-rule']);
      for (const { object: o } of Object.values(set)) {
        expect(o.metadata.namespace).toBe('team-a');
        expect(o.metadata.name.length).toBeLessThanOrEqual(63);
        expect(o.metadata.name).toMatch(/^[a-z][a-z0-9-]*[a-z0-9]$/);
        expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'function-postgresql', 'app.kubernetes.io/name': 'postgresql' });
      }
    });

    it('gives the dashboard ConfigMap (a core kind, no CRD) string data only', () => {
      const cm = object(set, MONITORING_KEYS.dashboard);
      expect(crdErrors(cm)).toBe('no-crd');
      expect(Object.keys(cm).sort()).toEqual(['apiVersion', 'data', 'kind', 'metadata']);
      const data = cm['data'] as Record<string, unknown>;
      expect(Object.keys(data)).toEqual([`${cm.metadata.name}.json`]);
      expect(Object.keys(data)[0]).toMatch(/^[-._a-zA-Z0-9]+$/);
      expect(typeof Object.values(data)[0]).toBe('string');
    });

    it('gives every alert a severity, the instance, a summary, a description and a runbook, and selects by namespace', () => {
      for (const rule of group(set).rules) {
        expect(['critical', 'warning']).toContain(rule.labels['severity']);
        expect(rule.labels['dbaas_instance']).toBe(name ?? 'app-db');
        expect(Object.keys(rule.annotations).sort()).toEqual(['description', 'runbook', 'summary']);
        for (const text of Object.values(rule.annotations)) expect(text.length).toBeGreaterThan(10);
        expect(rule.expr).toContain('namespace="team-a"');
      }
    });
  });

  it('selects the database pods and scrapes the exporter port StackGres names pgexporter', () => {
    const ctx = context({});
    const pm = object(monitoringResources(ctx, stackgres()), MONITORING_KEYS.podMonitor);
    expect(pm.metadata.labels).toMatchObject(MONITORING_LABELS);
    expect(pm['spec']).toEqual({
      selector: { matchLabels: stackgres().podSelector(ctx) },
      namespaceSelector: { matchNames: ['team-a'] },
      podMetricsEndpoints: [{ port: 'pgexporter', path: '/metrics' }],
    });
  });

  it('labels the rule for the platform Prometheus and the dashboard for the Grafana sidecar', () => {
    const set = compose({});
    expect(object(set, MONITORING_KEYS.prometheusRule).metadata.labels).toMatchObject(MONITORING_LABELS);
    expect(object(set, MONITORING_KEYS.dashboard).metadata.labels).toMatchObject({ ...GRAFANA_DASHBOARD_LABELS });
    expect(GRAFANA_DASHBOARD_LABELS).toEqual({ grafana_dashboard: '1' });
  });

  it.each([
    [{}, ALERTS],
    [{ backup: { enabled: false } }, ALERTS.filter((a) => a !== 'PostgreSQLBackupTooOld')],
  ])('with %j has exactly these alerts', (parameters, names) => {
    expect(group(compose(parameters)).rules.map((r) => r.alert)).toEqual(names);
  });

  it.each([
    [undefined, 2 * 86_400],
    ['0 */6 * * *', 2 * 21_600],
    ['0 3 * * 1-5', 2 * 3 * 86_400],
  ])('backup schedule %s allows %i seconds', (schedule, limit) => {
    const rule = alert(compose(schedule ? { backup: { schedule } } : {}), 'PostgreSQLBackupTooOld')!;
    expect(rule.expr).toContain(`> ${limit} `);
    expect(rule.expr).toContain('cronjob="app-db-backup"');
  });

  it('takes the backup interval and replication lag threshold from the options', () => {
    const ctx = context({});
    const set = monitoringResources(ctx, stackgres(), { ...monitoringOptions(ctx, stackgres()), backupIntervalSeconds: 3600, replicationLagSeconds: 30 });
    expect(alert(set, 'PostgreSQLBackupTooOld')!.expr).toContain('> 7200 ');
    expect(alert(set, 'PostgreSQLReplicationLag')!.expr).toContain('> 30 ');
  });

  it('selects only this instance: its pods, its volumes and its backup CronJob', () => {
    const set = compose({}, 'orders');
    expect(alert(set, 'PostgreSQLInstanceDown')!.expr).toContain('pod=~"orders-[0-9]+"');
    expect(alert(set, 'PostgreSQLDiskFillingUp')!.expr).toContain('persistentvolumeclaim=~"orders-data-orders-[0-9]+"');
  });

  it('composes nothing when the claim turns monitoring off', () => {
    expect(compose({ monitoring: { enabled: false } })).toEqual({});
  });

  it.each([
    [{}, false],
    [{ 'pod-monitor': {}, 'prometheus-rule': {}, 'grafana-dashboard': {} }, true],
  ])('readiness follows what is observed (%j → %s)', (observed, ready) => {
    const set = monitoringResources(context({}, 'app-db', 'team-a', observed), stackgres());
    expect(Object.values(set).map((c) => c.ready)).toEqual([ready, ready, ready]);
  });

  it('readiness is per object', () => {
    const set = monitoringResources(context({}, 'app-db', 'team-a', { 'pod-monitor': {} }), stackgres());
    expect(Object.fromEntries(Object.entries(set).map(([k, c]) => [k, c.ready]))).toEqual({
      'pod-monitor': true,
      'prometheus-rule': false,
      'grafana-dashboard': false,
    });
  });
});

describe('CRD validation of monitoring objects', () => {
  const rule = object(compose({}), MONITORING_KEYS.prometheusRule);
  const withGroup = (extra: Doc): KubeObject => ({ ...rule, spec: { groups: [{ ...group(compose({})), ...extra }] } });

  it.each([
    [{ partial_response_strategy: 'WARN' }, true],
    [{ partial_response_strategy: 'sometimes' }, false],
    [{ interval: '1h30m' }, true],
    [{ interval: 'hourly' }, false],
    [{ unknownField: 1 }, false],
  ])('keeps the CRD patterns, Go inline flags included: %j valid %s', (extra, valid) => {
    const errors = crdErrors(withGroup(extra));
    expect(errors === 'no-crd' ? errors : errors.length === 0).toBe(valid);
  });

  it('rejects a PodMonitor without a selector', () => {
    const pm = object(compose({}), MONITORING_KEYS.podMonitor);
    const { selector: _s, ...spec } = pm['spec'] as Doc;
    expect(crdErrors({ ...pm, spec })).not.toEqual([]);
  });
});

describe('grafana dashboard', () => {
  const json = dashboardJson(compose({}));
  const model = JSON.parse(json) as { uid: string; title: string; panels: { title: string; targets: { expr: string }[] }[] };

  it('is JSON with sorted keys, and the same bytes on every call', () => {
    expect(JSON.stringify(sortKeys(model), null, 2)).toBe(json);
    expect(dashboardJson(compose({}))).toBe(json);
  });

  it('has the panels a team looks at first, each querying this instance', () => {
    expect(model.panels.map((p) => p.title)).toEqual([
      'Connections',
      'Transactions per second',
      'Replication lag',
      'Disk used',
      'Cache hit ratio',
      'Last successful backup',
    ]);
    for (const p of model.panels) expect(p.targets[0]!.expr).toContain('namespace="team-a"');
  });

  it('leaves out the backup panel without backups', () => {
    const titles = (JSON.parse(dashboardJson(compose({ backup: { enabled: false } }))) as typeof model).panels.map((p) => p.title);
    expect(titles).not.toContain('Last successful backup');
  });

  it('has a uid Grafana accepts (at most 40 characters) that differs per instance', () => {
    expect(model.uid.length).toBeLessThanOrEqual(40);
    const other = JSON.parse(dashboardJson(compose({}, 'other-db'))) as typeof model;
    expect(other.uid).not.toBe(model.uid);
    expect(model.title).toBe('PostgreSQL team-a/app-db');
  });
});

describe('cronIntervalSeconds: the longest gap between two runs', () => {
  it.each([
    ['30 2 * * *', 86_400],
    ['0 */6 * * *', 21_600],
    ['0 0,12 * * *', 43_200],
    ['0 1,2 * * *', 23 * 3_600],
    ['*/15 * * * *', 900],
    ['5/15 * * * *', 900],
    ['0 3 * * 0', 7 * 86_400],
    ['0 3 * * 7', 7 * 86_400],
    ['0 3 * * SUN', 7 * 86_400],
    ['0 3 * * 1-5', 3 * 86_400],
    ['0 3 1 * *', 31 * 86_400],
    ['0 3 1 1 *', 366 * 86_400],
    ['0 3 1,15 * 1', 7 * 86_400],
    ['not a schedule', 86_400],
    ['0 3 * *', 86_400],
    ['61 3 * * *', 86_400],
    ['0 0 31 2 *', 86_400],
  ])('%s → %i', (schedule, seconds) => {
    expect(cronIntervalSeconds(schedule)).toBe(seconds);
  });
});
