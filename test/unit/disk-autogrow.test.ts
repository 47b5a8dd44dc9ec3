/**
 * Disk autogrow for the engines whose volumes run in the cluster: the Operation's decision, its reading of the
 * kubelet, the whole operation-mode request, and the composition reading the grown size back off the XR.
 */
import { Ready, Severity, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runFunction, runRequest } from '../../src/function.js';
import { nextDiskSize, type DataVolume } from '../../src/ops/disk-autogrow.js';
import { kubeletStatsReader, volumesInSummary, type VolumeStatsReader, type VolumeUsage } from '../../src/ops/kubelet-stats.js';
import { crdErrors } from '../support/crds.js';
import { REPO } from '../support/paths.js';
import { makePki } from '../support/pki.js';
import { claim, claimXr, settle, firstRequest, type Doc } from '../support/requests.js';

const MI = 2 ** 20;
const GI = 2 ** 30;
const volume = (requestedMi: number, capacityMi: number, used?: [usedMi: number, capacityMi: number]): DataVolume => ({
  claim: 'db-1',
  requested: requestedMi * MI,
  capacity: capacityMi * MI,
  usage: used ? { usedBytes: used[0] * MI, capacityBytes: used[1] * MI } : undefined,
});

describe('nextDiskSize: whether to grow, and to what', () => {
  const base = { current: 512 * MI, thresholdPercent: 80, step: 256 * MI, max: 1 * GI };
  it.each<[string, Parameters<typeof nextDiskSize>[0], ReturnType<typeof nextDiskSize>]>([
    ['below the threshold', { ...base, volumes: [volume(512, 512, [390, 500])] }, { action: 'keep', usedPercent: 78 }],
    ['at the threshold: grows', { ...base, volumes: [volume(512, 512, [400, 500])] }, { action: 'grow', to: 768 * MI, usedPercent: 80 }],
    ['past it: one step', { ...base, volumes: [volume(512, 512, [450, 500])] }, { action: 'grow', to: 768 * MI, usedPercent: 90 }],
    ['the fullest volume decides', { ...base, volumes: [volume(512, 512, [100, 500]), { ...volume(512, 512, [475, 500]), claim: 'db-2' }] }, { action: 'grow', to: 768 * MI, usedPercent: 95 }],
    ['a step never passes max', { ...base, current: 900 * MI, volumes: [volume(900, 900, [890, 900])] }, { action: 'grow', to: 1024 * MI, usedPercent: 98.88888888888889 }],
    ['at max: nothing, the alert takes over', { ...base, current: GI, volumes: [volume(1024, 1024, [1000, 1000])] }, { action: 'at-max', usedPercent: 100 }],
    // A fifth of 10Gi is 2Gi; a fifth of 2Gi is less than 1Gi, so 1Gi.
    ['no step: a fifth', { ...base, current: 10 * GI, max: 100 * GI, step: undefined, volumes: [volume(10240, 10240, [9000, 10000])] }, { action: 'grow', to: 12 * GI, usedPercent: 90 }],
    ['no step: at least 1Gi', { ...base, current: 2 * GI, max: 100 * GI, step: undefined, volumes: [volume(2048, 2048, [1900, 2000])] }, { action: 'grow', to: 3 * GI, usedPercent: 95 }],
    ['the operator has not asked for the grown size yet', { ...base, current: 768 * MI, volumes: [volume(512, 512, [450, 500])] }, { action: 'wait', reason: 'volume db-1 does not ask for 768Mi yet (the operator applies it)' }],
    ['the storage has not grown yet', { ...base, current: 768 * MI, volumes: [volume(768, 512, [450, 500])] }, { action: 'wait', reason: 'volume db-1 is still growing to 768Mi (the storage has not finished)' }],
    ['no volumes', { ...base, volumes: [] }, { action: 'wait', reason: 'no data volumes found yet' }],
    ['not measured', { ...base, volumes: [volume(512, 512)] }, { action: 'wait', reason: 'no kubelet measured the data volumes (no pod mounts them?)' }],
  ])('%s', (_, question, expected) => {
    const decision = nextDiskSize(question);
    if ('usedPercent' in expected) expect((decision as { usedPercent: number }).usedPercent).toBeCloseTo(expected.usedPercent, 6);
    expect({ ...decision, usedPercent: 0 }).toEqual({ ...expected, usedPercent: 0 });
  });
});

describe("the kubelet's /stats/summary", () => {
  it('gives the PVC-backed volumes once each, with their figures', () => {
    const summary = {
      node: { nodeName: 'n1' },
      pods: [
        { podRef: { name: 'db-1', namespace: 'shop' }, volume: [
          { name: 'pgdata', pvcRef: { name: 'db-1', namespace: 'shop' }, usedBytes: 450, capacityBytes: 500, availableBytes: 50 },
          { name: 'scratch', usedBytes: 1, capacityBytes: 2 },
        ] },
        { podRef: { name: 'db-1-join', namespace: 'shop' }, volume: [{ name: 'pgdata', pvcRef: { name: 'db-1', namespace: 'shop' }, usedBytes: 450, capacityBytes: 500 }] },
        { podRef: { name: 'other', namespace: 'x' }, volume: [{ name: 'd', pvcRef: { name: 'd', namespace: 'x' }, capacityBytes: 0, usedBytes: 0 }] },
      ],
    };
    expect(volumesInSummary(summary)).toEqual([{ namespace: 'shop', claim: 'db-1', usedBytes: 450, capacityBytes: 500 }]);
    expect(volumesInSummary({})).toEqual([]);
    expect(volumesInSummary('nonsense')).toEqual([]);
  });

  describe('read over TLS with the service account', () => {
    const pki = makePki();
    const seen: string[] = [];
    let server: Server;
    let port = 0;
    const accountDir = mkdtempSync(join(tmpdir(), 'fn-pg-sa-'));
    writeFileSync(join(accountDir, 'token'), 'sa-token\n');
    writeFileSync(join(accountDir, 'ca.crt'), pki.ca);
    const otherDir = mkdtempSync(join(tmpdir(), 'fn-pg-sa-'));
    writeFileSync(join(otherDir, 'ca.crt'), readFileSync(join(pki.dir, 'rogue-ca.crt')));

    beforeAll(async () => {
      server = createServer({ cert: readFileSync(join(pki.dir, 'server.crt')), key: readFileSync(join(pki.dir, 'server.key')) }, (req, res) => {
        seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'}`);
        if (req.url !== '/stats/summary') return void res.writeHead(404).end('not here');
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pods: [{ volume: [{ pvcRef: { name: 'db-1', namespace: 'shop' }, usedBytes: 9, capacityBytes: 10 }] }] }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('verifies the kubelet against the cluster CA and sends the token', async () => {
      const read = kubeletStatsReader(false, accountDir);
      await expect(read({ name: 'localhost', host: '127.0.0.1', port })).resolves.toEqual([{ namespace: 'shop', claim: 'db-1', usedBytes: 9, capacityBytes: 10 }]);
      expect(seen.at(-1)).toBe('GET /stats/summary Bearer sa-token');
    });

    it('refuses a kubelet whose certificate another CA signed, unless told not to check', async () => {
      await expect(kubeletStatsReader(false, otherDir)({ name: 'localhost', host: '127.0.0.1', port })).rejects.toThrow(/certificate/);
      await expect(kubeletStatsReader(true, otherDir)({ name: 'localhost', host: '127.0.0.1', port })).resolves.toHaveLength(1);
    });
  });
});

// ---- the whole operation-mode request ----

const INPUT = { apiVersion: 'postgresql.fn.dbaas.dev/v1beta1', kind: 'DiskAutogrow' };
const AUTOGROW = { disk: '512Mi', autogrow: { enabled: true, thresholdPercent: 80, step: '256Mi', max: '1Gi' } };

const legacyXR = (claimName: string, namespace: string, parameters: Doc, engine = 'cloudnativepg', annotations: Doc = {}): Doc =>
  claimXr(claimName, namespace, { engine, ...parameters }, { annotations }, { status: { engine } });
const node = (name: string, ip: string): Doc => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  status: { addresses: [{ type: 'Hostname', address: name }, { type: 'InternalIP', address: ip }], daemonEndpoints: { kubeletEndpoint: { Port: 10250 } } },
});
const pvc = (name: string, namespace: string, requested: string, capacity: string): Doc => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace, labels: { 'dbaas.dev/composite': 'orders-x7k2p' } },
  spec: { resources: { requests: { storage: requested } } },
  status: { capacity: { storage: capacity } },
});
const items = (...docs: Doc[]) => ({ items: docs.map((resource) => ({ resource, connectionDetails: {}, ready: Ready.READY_UNSPECIFIED })) });

function opRequest(required: Record<string, Doc[]> | undefined, input: Doc = INPUT): RunFunctionRequest {
  const requiredResources = Object.fromEntries(Object.entries(required ?? {}).map(([k, v]) => [k, items(...v)]));
  return { meta: { tag: 'op', capabilities: [] }, input, context: {}, credentials: {}, requiredResources, extraResources: {}, requiredSchemas: {} } as unknown as RunFunctionRequest;
}

const usage = (claim: string, usedMi: number, capacityMi: number): VolumeUsage => ({ namespace: 'shop', claim, usedBytes: usedMi * MI, capacityBytes: capacityMi * MI });

describe('the disk-autogrow Operation (operation mode)', () => {
  const asked: string[] = [];
  const kubelets = (byNode: Record<string, VolumeUsage[] | Error>): VolumeStatsReader => async (n) => {
    asked.push(`${n.name}@${n.host}:${n.port}`);
    const answer = byNode[n.name];
    if (answer instanceof Error || answer === undefined) throw answer ?? new Error('unknown node');
    return answer;
  };
  const orders = legacyXR('orders', 'shop', { size: AUTOGROW });
  const everything = (pvcs: Doc[], xrs: Doc[] = [orders]) => ({
    xpostgresqlinstances: xrs,
    postgresqls: [],
    nodes: [node('n1', '10.0.0.1'), node('n2', '10.0.0.2')],
    'volumes.shop.orders-x7k2p': pvcs,
  });

  it('asks for the XRs and nodes, then for the volumes of each instance that grows, by its label', async () => {
    const first = await runRequest(opRequest(undefined), { readVolumes: kubelets({}) });
    expect(Object.keys(first.requirements!.resources).sort()).toEqual(['nodes', 'postgresqls', 'xpostgresqlinstances']);
    const { 'volumes.shop.orders-x7k2p': _, ...withoutVolumes } = everything([]);
    const second = await runRequest(opRequest(withoutVolumes), { readVolumes: kubelets({}) });
    expect(second.requirements!.resources['volumes.shop.orders-x7k2p']).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      namespace: 'shop',
      matchLabels: { labels: { 'dbaas.dev/composite': 'orders-x7k2p' } },
    });
    expect(second.desired?.resources ?? {}).toEqual({});
  });

  it('writes the grown size on the XR when the fullest volume passed the threshold, and nothing else', async () => {
    asked.length = 0;
    const rsp = await runRequest(opRequest(everything([pvc('orders-1', 'shop', '512Mi', '512Mi'), pvc('orders-2', 'shop', '512Mi', '512Mi')])), {
      readVolumes: kubelets({ n1: [usage('orders-1', 300, 500)], n2: [usage('orders-2', 420, 500)] }),
    });
    expect(asked.sort()).toEqual(['n1@10.0.0.1:10250', 'n2@10.0.0.2:10250']);
    expect(rsp.desired!.resources).toEqual({
      'XPostgreSQLInstance.orders-x7k2p': {
        resource: {
          apiVersion: 'dbaas.dev/v1alpha1',
          kind: 'XPostgreSQLInstance',
          metadata: { name: 'orders-x7k2p', resourceVersion: '4711', annotations: { 'dbaas.dev/disk-autogrown-to': '768Mi' } },
        },
        connectionDetails: {},
        ready: Ready.READY_UNSPECIFIED,
      },
    });
    expect(rsp.output).toEqual({ instances: 1, grown: ['shop/orders: 512Mi -> 768Mi (84.0 % used, threshold 80 %)'], atMax: [], waiting: [], kept: [], unreadNodes: [] });
    expect(rsp.meta!.ttl).toEqual({ seconds: 0, nanos: 0 });
  });

  it('grows from the grown size, waits while a growth is under way, and stops at max', async () => {
    const grown = legacyXR('orders', 'shop', { size: AUTOGROW }, 'cloudnativepg', { 'dbaas.dev/disk-autogrown-to': '768Mi' });
    const full = { n1: [usage('orders-1', 700, 750)] };
    const run = (xr: Doc, requested: string, capacity: string) =>
      runRequest(opRequest(everything([pvc('orders-1', 'shop', requested, capacity)], [xr])), { readVolumes: kubelets(full) });
    expect((await run(grown, '768Mi', '768Mi')).output).toMatchObject({ grown: ['shop/orders: 768Mi -> 1Gi (93.3 % used, threshold 80 %)'] });
    expect((await run(grown, '768Mi', '512Mi')).output).toMatchObject({ grown: [], waiting: ['shop/orders: volume orders-1 is still growing to 768Mi (the storage has not finished)'] });
    expect((await run(grown, '512Mi', '512Mi')).output).toMatchObject({ grown: [], waiting: ['shop/orders: volume orders-1 does not ask for 768Mi yet (the operator applies it)'] });
    const atMax = legacyXR('orders', 'shop', { size: AUTOGROW }, 'cloudnativepg', { 'dbaas.dev/disk-autogrown-to': '1Gi' });
    const last = await run(atMax, '1Gi', '1Gi');
    expect(last.output).toMatchObject({ grown: [], atMax: ['shop/orders: 1Gi is its max (93.3 % used, threshold 80 %)'] });
    expect(last.desired!.resources).toEqual({});
  });

  it('leaves alone what it does not grow: autogrow off, a cloud engine, zalando; reads no kubelet for them', async () => {
    asked.length = 0;
    const xrs = [
      legacyXR('off', 'shop', { size: { disk: '512Mi' } }),
      legacyXR('rds', 'shop', { size: AUTOGROW }, 'aws-rds'),
      legacyXR('zal', 'shop', { size: AUTOGROW }, 'zalando'),
    ];
    const rsp = await runRequest(opRequest({ xpostgresqlinstances: xrs, postgresqls: [], nodes: [node('n1', '10.0.0.1')] }), { readVolumes: kubelets({}) });
    expect(Object.keys(rsp.requirements!.resources).sort()).toEqual(['nodes', 'postgresqls', 'xpostgresqlinstances']);
    expect(rsp.output).toEqual({ instances: 0, grown: [], atMax: [], waiting: [], kept: [], unreadNodes: [] });
    expect(asked).toEqual([]);
  });

  it('a kubelet that does not answer is a warning; what the others measured still counts', async () => {
    const rsp = await runRequest(opRequest(everything([pvc('orders-1', 'shop', '512Mi', '512Mi')])), {
      readVolumes: kubelets({ n1: new Error('connect ECONNREFUSED 10.0.0.1:10250'), n2: [usage('orders-1', 450, 500)] }),
    });
    expect(rsp.output).toMatchObject({ grown: ['shop/orders: 512Mi -> 768Mi (90.0 % used, threshold 80 %)'], unreadNodes: ['n1: connect ECONNREFUSED 10.0.0.1:10250'] });
    expect(rsp.results).toEqual([{ severity: Severity.SEVERITY_WARNING, message: 'kubelet volume statistics not read from n1: connect ECONNREFUSED 10.0.0.1:10250' }]);
  });

  it.each<[string, RunFunctionRequest, string]>([
    ['an unknown input field', opRequest(undefined, { ...INPUT, stepPercent: 10 }), 'input: Unrecognized key: "stepPercent"'],
    [
      'a Composition',
      { ...opRequest(undefined), observed: { composite: { resource: claim({}), connectionDetails: {}, ready: Ready.READY_UNSPECIFIED }, resources: {} } } as RunFunctionRequest,
      "input.kind: DiskAutogrow belongs in an Operation's pipeline (it reads the kubelets), not in a Composition",
    ],
  ])('refuses %s, writing nothing', async (_, req, message) => {
    const rsp: RunFunctionResponse = await runRequest(req, { readVolumes: kubelets({}) });
    expect(rsp.results).toEqual([expect.objectContaining({ severity: Severity.SEVERITY_FATAL, message })]);
    expect(rsp.desired?.resources ?? {}).toEqual({});
  });
});

describe('the CronOperation the platform ships (deploy/disk-autogrow.yaml)', () => {
  const cron = parse(readFileSync(join(REPO, 'deploy/disk-autogrow.yaml'), 'utf8')) as Doc;
  const step = ((((cron['spec'] as Doc)['operationTemplate'] as Doc)['spec'] as Doc)['pipeline'] as Doc[])[0]!;

  it('validates against the real CronOperation CRD and calls the function with its input', () => {
    expect(crdErrors(cron, 'crossplane-v2')).toEqual([]);
    expect(step['input']).toEqual(INPUT);
    expect(step['functionRef']).toEqual({ name: 'function-postgresql' });
  });

  it('asks up front for what the function asks for first', async () => {
    const asked = (await runRequest(opRequest(undefined), {})).requirements!.resources;
    const bootstrap = ((step['requirements'] as Doc)['requiredResources'] as Doc[]).map((r) => [r['requirementName'], r['apiVersion'], r['kind']]);
    expect(bootstrap.sort()).toEqual(Object.entries(asked).map(([name, s]) => [name, s.apiVersion, s.kind]).sort());
  });
});

// ---- the composition reads the grown size back ----

describe('the composition sizes the volumes from the grown size, and never below it', () => {
  const grownRequest = (parameters: Doc, grownTo: string | undefined) => {
    const { req } = settle(firstRequest(claim(parameters)), 'grow');
    const composite = req.observed!.composite!.resource as Doc;
    const metadata = composite['metadata'] as Doc;
    metadata['annotations'] = { ...(metadata['annotations'] as Doc | undefined), ...(grownTo ? { 'dbaas.dev/disk-autogrown-to': grownTo } : {}) };
    return req;
  };
  const cnpgSize = (rsp: RunFunctionResponse) => (((rsp.desired!.resources['cnpg-cluster']!.resource!['spec'] as Doc)['storage'] as Doc)['size']);
  const sgSize = (rsp: RunFunctionResponse) => ((((rsp.desired!.resources['sg-cluster']!.resource!['spec'] as Doc)['pods'] as Doc)['persistentVolume'] as Doc)['size']);
  const statusDisk = (rsp: RunFunctionResponse) => (rsp.desired!.composite!.resource!['status'] as Doc)['disk'];

  it.each<[string, Doc, string | undefined, string]>([
    ['cloudnativepg, grown', { engine: 'cloudnativepg', size: AUTOGROW }, '768Mi', '768Mi'],
    ['cloudnativepg, the claim asks for more than was grown', { engine: 'cloudnativepg', size: { ...AUTOGROW, disk: '900Mi' } }, '768Mi', '900Mi'],
    // Autogrow turned off later: the volumes stay as large as they grew.
    ['cloudnativepg, autogrow off since', { engine: 'cloudnativepg', size: { disk: '512Mi' } }, '768Mi', '768Mi'],
    ['cloudnativepg, nothing grown', { engine: 'cloudnativepg', size: AUTOGROW }, undefined, '512Mi'],
    ['cloudnativepg, an unreadable annotation is no size', { engine: 'cloudnativepg', size: AUTOGROW }, 'lots', '512Mi'],
    ['stackgres, grown', { engine: 'stackgres', size: AUTOGROW }, '1Gi', '1Gi'],
  ])('%s', (_, parameters, grownTo, expected) => {
    const rsp = runFunction(grownRequest(parameters, grownTo));
    expect(rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL)).toEqual([]);
    expect(parameters['engine'] === 'stackgres' ? sgSize(rsp) : cnpgSize(rsp)).toBe(expected);
    expect(statusDisk(rsp)).toBe(expected);
  });

  it('a grown Cluster is not a shrink, and the claim keeps its own disk', () => {
    const req = grownRequest({ engine: 'cloudnativepg', size: AUTOGROW }, '768Mi');
    const cluster = req.observed!.resources['cnpg-cluster']!.resource as Doc;
    ((cluster['spec'] as Doc)['storage'] as Doc)['size'] = '768Mi';
    const rsp = runFunction(req);
    expect(rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL)).toEqual([]);
    expect(cnpgSize(rsp)).toBe('768Mi');
    expect((((rsp.desired!.composite!.resource!['spec'] as Doc | undefined) ?? {})['parameters'] as Doc | undefined)?.['size']).toBeUndefined();
  });
});
