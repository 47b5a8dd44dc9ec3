/**
 * The maintenance clock (operation mode) and what CloudNativePG does with it: its own ImageCatalog follows the
 * platform's only while the window is open. Instants and expected values written by hand (2026-12-06 is a Sunday).
 */
import { Ready, Severity, Status, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { maintenanceWindow } from '../../src/compose/maintenance.js';
import { windowStateAt } from '../../src/compose/window-clock.js';
import { runFunction } from '../../src/function.js';
import { claimToComposite, renderRequest } from '../../src/render.js';
import { seededRandom } from '../../src/util/random.js';
import { crdErrors } from '../support/crds.js';
import { REPO } from '../support/paths.js';
import { claim, claimXr, compositionInput, settle, type Doc } from '../support/requests.js';

describe('the window state at an instant, for a clock every 15 minutes', () => {
  const sunday3 = { dayOfWeek: 'sunday', timeOfDay: '03:00', chosen: true } as const;
  const sunday2330 = { dayOfWeek: 'sunday', timeOfDay: '23:30', chosen: true } as const;
  const sunday305 = { dayOfWeek: 'sunday', timeOfDay: '03:05', chosen: true } as const;
  it.each([
    [sunday3, '2026-12-06T02:59:59Z', 'closed', '2026-12-06T03:00:00Z'],
    [sunday3, '2026-12-06T03:00:00Z', 'open', '2026-12-06T04:00:00Z'],
    [sunday3, '2026-12-06T03:45:30Z', 'open', '2026-12-06T04:00:00Z'], // the last run inside, a little late
    [sunday3, '2026-12-06T03:46:30Z', 'closed', '2026-12-13T03:00:00Z'], // the next run would be after the end
    [sunday3, '2026-12-06T04:00:00Z', 'closed', '2026-12-13T03:00:00Z'],
    [sunday3, '2026-12-09T03:30:00Z', 'closed', '2026-12-13T03:00:00Z'], // a Wednesday
    [sunday2330, '2026-12-07T00:15:00Z', 'open', '2026-12-07T00:30:00Z'], // across midnight, into Monday
    [sunday305, '2026-12-06T03:00:00Z', 'closed', '2026-12-06T03:05:00Z'],
    [sunday305, '2026-12-06T03:15:00Z', 'open', '2026-12-06T04:05:00Z'],
    [sunday305, '2026-12-06T03:50:00Z', 'open', '2026-12-06T04:05:00Z'],
    [sunday305, '2026-12-06T03:52:00Z', 'closed', '2026-12-13T03:05:00Z'],
  ] as const)('%j at %s: %s until %s', (w, now, state, until) => {
    expect(windowStateAt(w, new Date(now), 15)).toEqual({ state, until });
  });
});

// ---- operation mode ----

const CLOCK_INPUT = { apiVersion: 'postgresql.fn.dbaas.dev/v1beta1', kind: 'MaintenanceClock', periodMinutes: 15 };

const legacyXR = (claimName: string, namespace: string, parameters: Doc, more: Doc = {}): Doc => claimXr(claimName, namespace, parameters, more);
const namespacedXR = (name: string, namespace: string, parameters: Doc): Doc => ({
  apiVersion: 'dbaas.dev/v1alpha1',
  kind: 'PostgreSQL',
  metadata: { name, namespace, resourceVersion: '815' },
  spec: { parameters },
});

const items = (...xrs: Doc[]) => ({ items: xrs.map((resource) => ({ resource, connectionDetails: {}, ready: Ready.READY_UNSPECIFIED })) });

function clockRequest(legacy: Doc[], namespaced: Doc[], input: Doc = CLOCK_INPUT): RunFunctionRequest {
  return {
    meta: { tag: 'op', capabilities: [] },
    input,
    context: {},
    credentials: {},
    requiredResources: { xpostgresqlinstances: items(...legacy), postgresqls: items(...namespaced) },
    extraResources: {},
    requiredSchemas: {},
  } as unknown as RunFunctionRequest;
}

const tick = (req: RunFunctionRequest, at: string): RunFunctionResponse => runFunction(req, { now: () => new Date(at) });
const annotations = (rsp: RunFunctionResponse, key: string) => (rsp.desired?.resources[key]?.resource?.['metadata'] as Doc | undefined)?.['annotations'];

describe('the maintenance clock (operation mode)', () => {
  // Without `maintenance`, team-a/app-db's window is monday 01:30 (see day-two.test.ts), from the CLAIM's namespace and
  // name: the XR's own name (app-db-x7k2p) would give another.
  const req = clockRequest(
    [legacyXR('app-db', 'team-a', {}), legacyXR('billing', 'shop', { maintenance: { dayOfWeek: 'sunday', timeOfDay: '03:00' } })],
    [namespacedXR('orders', 'shop', { maintenance: { dayOfWeek: 'monday', timeOfDay: '01:00' }, updateStrategy: 'immediate' })],
  );

  it.each([
    // instant, app-db (legacy, picked monday 01:30), billing (legacy, sunday 03:00), orders (namespaced, monday 01:00)
    ['2026-12-06T03:15:00Z', ['closed', '2026-12-07T01:30:00Z'], ['open', '2026-12-06T04:00:00Z'], ['closed', '2026-12-07T01:00:00Z']],
    ['2026-12-07T01:30:00Z', ['open', '2026-12-07T02:30:00Z'], ['closed', '2026-12-13T03:00:00Z'], ['open', '2026-12-07T02:00:00Z']],
    ['2026-12-07T02:15:00Z', ['open', '2026-12-07T02:30:00Z'], ['closed', '2026-12-13T03:00:00Z'], ['closed', '2026-12-14T01:00:00Z']],
  ])('at %s writes each XR its state, closed ones explicitly', (now, appDb, billing, orders) => {
    const rsp = tick(req, now);
    expect(rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL)).toEqual([]);
    expect(Object.keys(rsp.desired!.resources).sort()).toEqual(['PostgreSQL.shop.orders', 'XPostgreSQLInstance.app-db-x7k2p', 'XPostgreSQLInstance.billing-x7k2p']);
    const expectState = ([state, until]: string[]) => ({ 'dbaas.dev/maintenance-window': state, 'dbaas.dev/maintenance-window-until': until });
    expect(annotations(rsp, 'XPostgreSQLInstance.app-db-x7k2p')).toEqual(expectState(appDb));
    expect(annotations(rsp, 'XPostgreSQLInstance.billing-x7k2p')).toEqual(expectState(billing));
    expect(annotations(rsp, 'PostgreSQL.shop.orders')).toEqual(expectState(orders));
  });

  it('applies identity, the resourceVersion read (so a deleted XR is not made again) and the annotations, nothing else', () => {
    const rsp = tick(req, '2026-12-06T03:15:00Z');
    expect(rsp.desired!.resources['PostgreSQL.shop.orders']!.resource).toEqual({
      apiVersion: 'dbaas.dev/v1alpha1',
      kind: 'PostgreSQL',
      metadata: {
        name: 'orders',
        namespace: 'shop',
        resourceVersion: '815',
        annotations: { 'dbaas.dev/maintenance-window': 'closed', 'dbaas.dev/maintenance-window-until': '2026-12-07T01:00:00Z' },
      },
    });
    expect(rsp.desired!.resources['XPostgreSQLInstance.billing-x7k2p']!.resource!['metadata']).not.toHaveProperty('namespace');
    // Never cached: the same request gives another answer at another time.
    expect(rsp.meta?.ttl).toEqual({ seconds: 0, nanos: 0 });
    expect(rsp.output).toEqual({ at: '2026-12-06T03:15:00.000Z', instances: 3, open: ['shop/billing'], skipped: 0 });
  });

  it('leaves XRs being deleted alone, and skips one without a claim with a warning', () => {
    const rsp = tick(
      clockRequest([legacyXR('gone', 'team-a', {}, { deletionTimestamp: '2026-12-06T03:00:00Z' }), { ...legacyXR('orphan', 'x', {}), metadata: { name: 'orphan-1' } }], []),
      '2026-12-06T03:15:00Z',
    );
    expect(rsp.desired!.resources).toEqual({});
    expect(rsp.results.map((r) => [r.severity, r.message])).toEqual([[Severity.SEVERITY_WARNING, '1 XR(s) without a claim or readable parameters were left alone']]);
  });

  it('asks for the XRs of both XRDs in all namespaces, and waits for them', () => {
    const first = { ...clockRequest([], []), requiredResources: {} } as RunFunctionRequest;
    const rsp = tick(first, '2026-12-06T03:15:00Z');
    expect(rsp.requirements?.resources).toEqual({
      xpostgresqlinstances: { apiVersion: 'dbaas.dev/v1alpha1', kind: 'XPostgreSQLInstance', namespace: '', matchLabels: { labels: {} } },
      postgresqls: { apiVersion: 'dbaas.dev/v1alpha1', kind: 'PostgreSQL', namespace: '', matchLabels: { labels: {} } },
    });
    expect(rsp.desired?.resources ?? {}).toEqual({});
  });

  it.each([
    [{ ...CLOCK_INPUT, periodMinutes: 0 }, 'input.periodMinutes: Too small: expected number to be >=1'],
    [{ ...CLOCK_INPUT, every: 5 }, 'input: Unrecognized key: "every"'],
  ])('refuses the input %j: %s', (input, message) => {
    const rsp = tick(clockRequest([], [], input), '2026-12-06T03:15:00Z');
    expect(rsp.results.map((r) => [r.severity, r.message])).toEqual([[Severity.SEVERITY_FATAL, message]]);
  });

  it('refuses to run in a Composition: a composition must not read the clock', () => {
    const req2 = { ...clockRequest([], []), observed: { composite: { resource: legacyXR('app-db', 'team-a', {}), connectionDetails: {}, ready: 0 }, resources: {} } };
    const rsp = tick(req2 as RunFunctionRequest, '2026-12-06T03:15:00Z');
    expect(rsp.results.map((r) => r.severity)).toEqual([Severity.SEVERITY_FATAL]);
    expect(rsp.results[0]!.message).toContain("MaintenanceClock belongs in an Operation's pipeline");
  });
});

// ---- CloudNativePG: the instance's own ImageCatalog ----

const CATALOG = 'cnpg-image-catalog';
const CLUSTER = 'cnpg-cluster';

const platformCatalog = (images: Record<number, string>) => ({
  'cnpg-image-catalogs': items({
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'ClusterImageCatalog',
    metadata: { name: 'postgresql' },
    spec: { images: Object.entries(images).map(([major, image]) => ({ major: Number(major), image })) },
  }),
});

/** team-a/app-db on 17 with the clock's annotation (or none), its own catalog as observed, the platform's as given. */
function cnpgRequest(state: string | undefined, own: Record<number, string> | undefined, platform: Record<number, string>, parameters: Doc = {}): RunFunctionRequest {
  const req = structuredClone(settle(renderRequest(claimToComposite(claim({ engine: 'cloudnativepg', version: 17, ...parameters })), { input: compositionInput() }), 'img').req);
  const metadata = (req.observed!.composite!.resource as Doc)['metadata'] as Doc;
  if (state) metadata['annotations'] = { 'dbaas.dev/maintenance-window': state };
  delete req.observed!.resources![CATALOG];
  if (own) {
    req.observed!.resources![CATALOG] = {
      resource: { apiVersion: 'postgresql.cnpg.io/v1', kind: 'ImageCatalog', metadata: { name: 'app-db-images', namespace: 'team-a' }, spec: { images: Object.entries(own).map(([major, image]) => ({ image, major: Number(major) })) } },
      connectionDetails: {},
      ready: Ready.READY_TRUE,
    };
  }
  req.requiredResources = { ...req.requiredResources, ...platformCatalog(platform) };
  return req;
}

const run = (req: RunFunctionRequest) => runFunction(req, { random: seededRandom('img') });
const catalogImages = (rsp: RunFunctionResponse) => ((rsp.desired!.resources[CATALOG]?.resource?.['spec'] as Doc | undefined)?.['images']);
const pendingCondition = (rsp: RunFunctionResponse) => rsp.conditions.find((c) => c.type === 'MaintenancePending');
const PENDING = 'a minor update to pg:17.7 is pending until the maintenance window (monday 01:30-02:30 UTC)';

describe("CloudNativePG's own image catalog and the window", () => {
  it.each([
    // clock's annotation, updateStrategy, image composed, MaintenancePending message (undefined: False)
    [undefined, 'window', 'pg:17.6', PENDING], // no clock (Operations off, or before its first run): wait
    ['closed', 'window', 'pg:17.6', PENDING],
    ['open', 'window', 'pg:17.7', undefined],
    [undefined, 'immediate', 'pg:17.7', undefined],
    ['closed', 'immediate', 'pg:17.7', undefined],
  ])('window %s, updateStrategy %s: runs %s', (state, updateStrategy, image, pending) => {
    const rsp = run(cnpgRequest(state, { 17: 'pg:17.6' }, { 16: 'pg:16.11', 17: 'pg:17.7' }, { updateStrategy }));
    expect(rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL)).toEqual([]);
    expect(catalogImages(rsp)).toEqual([{ image, major: 17 }]);
    expect(pendingCondition(rsp)).toEqual(
      pending
        ? expect.objectContaining({ status: Status.STATUS_CONDITION_TRUE, reason: 'UpdatePending', message: pending })
        : expect.objectContaining({ reason: 'NothingPending', message: 'no disruptive work is waiting' }),
    );
  });

  it('names its own catalog in the Cluster, and both validate against the real CRDs', () => {
    const rsp = run(cnpgRequest('closed', { 17: 'pg:17.6' }, { 17: 'pg:17.7' }));
    const cluster = rsp.desired!.resources[CLUSTER]!.resource as Doc;
    expect((cluster['spec'] as Doc)['imageCatalogRef']).toEqual({ apiGroup: 'postgresql.cnpg.io', kind: 'ImageCatalog', name: 'app-db-images', major: 17 });
    expect((cluster['spec'] as Doc)['primaryUpdateMethod']).toBe('switchover');
    const catalog = rsp.desired!.resources[CATALOG]!.resource as Doc;
    expect(catalog['metadata']).toMatchObject({ name: 'app-db-images', namespace: 'team-a' });
    expect(crdErrors(catalog, 'cloudnative-pg')).toEqual([]);
    expect(crdErrors(cluster, 'cloudnative-pg')).toEqual([]);
  });

  it('takes the platform image at once for a catalog it does not have yet (new instance), window closed', () => {
    const rsp = run(cnpgRequest('closed', undefined, { 17: 'pg:17.7' }));
    expect(catalogImages(rsp)).toEqual([{ image: 'pg:17.7', major: 17 }]);
    expect(pendingCondition(rsp)?.reason).toBe('NothingPending');
  });

  it('says nothing is pending when the platform has the image it runs', () => {
    const rsp = run(cnpgRequest('closed', { 17: 'pg:17.7' }, { 17: 'pg:17.7' }));
    expect(catalogImages(rsp)).toEqual([{ image: 'pg:17.7', major: 17 }]);
    expect(pendingCondition(rsp)?.reason).toBe('NothingPending');
  });

  it('keeps its image when the platform catalog is not read or lacks the major, and composes none when it knows none', () => {
    expect(catalogImages(run(cnpgRequest('open', { 17: 'pg:17.6' }, { 16: 'pg:16.11' })))).toEqual([{ image: 'pg:17.6', major: 17 }]);
    expect(run(cnpgRequest('open', undefined, { 16: 'pg:16.11' })).desired!.resources[CATALOG]).toBeUndefined();
  });

  it("during a major upgrade: the new major's image comes from the platform at once, the old one stays pinned", () => {
    const req = cnpgRequest('closed', { 15: 'pg:15.14' }, { 15: 'pg:15.15', 17: 'pg:17.7' }, { backup: { enabled: false } });
    const cluster = req.observed!.resources![CLUSTER]!.resource as Doc;
    ((cluster['spec'] as Doc)['imageCatalogRef'] as Doc)['major'] = 15;
    (cluster['status'] as Doc)['pgDataImageInfo'] = { image: 'pg:15.14', majorVersion: 15 };
    const rsp = run(req);
    expect((((rsp.desired!.resources[CLUSTER]!.resource as Doc)['spec'] as Doc)['imageCatalogRef'] as Doc)['major']).toBe(17);
    expect(catalogImages(rsp)).toEqual([
      { image: 'pg:15.14', major: 15 },
      { image: 'pg:17.7', major: 17 },
    ]);
  });

  it('the window comes from the claim: a chosen one is named in the pending message', () => {
    const rsp = run(cnpgRequest(undefined, { 17: 'pg:17.6' }, { 17: 'pg:17.7' }, { maintenance: { dayOfWeek: 'sunday', timeOfDay: '03:00' } }));
    expect(pendingCondition(rsp)?.message).toBe('a minor update to pg:17.7 is pending until the maintenance window (sunday 03:00-04:00 UTC)');
    expect(maintenanceWindow({ namespace: 'team-a', claimName: 'app-db' }, { maintenance: undefined })).toMatchObject({ dayOfWeek: 'monday', timeOfDay: '01:30' });
  });
});

describe('the CronOperation the platform ships (deploy/maintenance-clock.yaml)', () => {
  const cron = parse(readFileSync(join(REPO, 'deploy/maintenance-clock.yaml'), 'utf8')) as Doc;
  const spec = cron['spec'] as Doc;
  const step = (((spec['operationTemplate'] as Doc)['spec'] as Doc)['pipeline'] as Doc[])[0]!;

  it('validates against the real CronOperation CRD', () => {
    expect(crdErrors(cron, 'crossplane-v2')).toEqual([]);
  });

  it('runs as often as its input says (the open state must hold until the next run), with the function the Compositions use', () => {
    expect(spec['schedule']).toBe('*/15 * * * *');
    expect(step['input']).toEqual(CLOCK_INPUT);
    expect(step['functionRef']).toEqual({ name: 'function-postgresql' });
  });

  it('asks up front for what the function would ask for', () => {
    const asked = tick({ ...clockRequest([], []), requiredResources: {} } as RunFunctionRequest, '2026-12-06T03:15:00Z').requirements!.resources;
    const bootstrap = ((step['requirements'] as Doc)['requiredResources'] as Doc[]).map((r) => [r['requirementName'], r['apiVersion'], r['kind']]);
    expect(bootstrap.sort()).toEqual(Object.entries(asked).map(([name, s]) => [name, s.apiVersion, s.kind]).sort());
  });
});
