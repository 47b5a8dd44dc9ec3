/**
 * Operation mode: disk autogrow for the engines whose volumes run in the cluster (README, "Day two"). The platform's
 * CronOperation (deploy/disk-autogrow.yaml) calls this function with a `DiskAutogrow` input. It reads every XR of both
 * XRDs and every Node; then, for each instance with `size.autogrow` on, its data volumes (the PVCs labelled with its
 * XR); then each node's kubelet volume statistics. An instance whose fullest volume passed its threshold gets the
 * grown size on its XR (annotation `dbaas.dev/disk-autogrown-to`), which its composition turns into the operator's
 * volume size. The claim's spec stays the user's.
 *
 * The decision (`nextDiskSize`) is a pure function of what was read; reading the kubelets is the only I/O
 * (kubelet-stats.ts).
 */
import { Ready, Severity, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { z } from 'zod';
import { DEFAULT_AUTOGROW_STEP_FRACTION, MIN_DEFAULT_AUTOGROW_STEP } from '../api/autogrow.js';
import { INPUT_GROUP, INPUT_VERSION } from '../api/input.js';
import type { Instance } from '../api/parse.js';
import { enabledAutogrow } from '../compose/cloud-only.js';
import { COMPOSITE_LABEL } from '../compose/labels.js';
import { labelValue } from '../compose/names.js';
import { AUTOGROWN_ANNOTATION, autogrownDisk, resolveSize } from '../compose/size.js';
import { engineFor } from '../engines/index.js';
import { at } from '../util/observed.js';
import { binaryQuantity, bytes } from '../util/quantity.js';
import type { KubeletNode, VolumeStatsReader, VolumeUsage } from './kubelet-stats.js';
import { annotatedXr, liveXrs, operationInput, selectAll, xrKey, xrSelectors, type Selector } from './operation.js';

export const AUTOGROW_KIND = 'DiskAutogrow';
/** Requirement name of the nodes; the CronOperation's bootstrap requirements use the same (deploy/disk-autogrow.yaml). */
const REQUIRED_NODES = 'nodes';
const VOLUMES_PREFIX = 'volumes.';

const autogrowInput = z.object({ apiVersion: z.literal(`${INPUT_GROUP}/${INPUT_VERSION}`), kind: z.literal(AUTOGROW_KIND) }).strict();

type Json = Record<string, unknown>;

export const isDiskAutogrowInput = (input: Json | undefined): boolean => input?.['kind'] === AUTOGROW_KIND;

/** One data volume of an instance: what its PVC asks for and has, and what the kubelet measured (when it did). */
export interface DataVolume {
  readonly claim: string;
  /** spec.resources.requests.storage, bytes. */
  readonly requested: number | undefined;
  /** status.capacity.storage, bytes: what the storage has given so far. */
  readonly capacity: number | undefined;
  readonly usage: Pick<VolumeUsage, 'usedBytes' | 'capacityBytes'> | undefined;
}

export interface GrowthQuestion {
  /** The size the volumes are asked to have now (the claim's disk or the last grown size), bytes. */
  readonly current: number;
  readonly thresholdPercent: number;
  /** The claim's step, bytes; a fifth of `current`, at least 1Gi, when undefined. */
  readonly step?: number;
  readonly max: number;
  readonly volumes: readonly DataVolume[];
}

export type GrowthDecision =
  | { readonly action: 'grow'; readonly to: number; readonly usedPercent: number }
  | { readonly action: 'keep'; readonly usedPercent: number }
  | { readonly action: 'at-max'; readonly usedPercent: number }
  | { readonly action: 'wait'; readonly reason: string };

const percent = (u: Pick<VolumeUsage, 'usedBytes' | 'capacityBytes'>) => (u.usedBytes / u.capacityBytes) * 100;
const MI = 2 ** 20;

/**
 * Whether to grow, and to what. Never while an earlier growth is still under way (a PVC asks for less than the
 * current size, or has less than it asks for): its file system is still the old size, so its fullness says nothing
 * about the new one, and growing again would stack steps up to max.
 */
export function nextDiskSize(q: GrowthQuestion): GrowthDecision {
  if (q.volumes.length === 0) return { action: 'wait', reason: 'no data volumes found yet' };
  for (const v of q.volumes) {
    if (v.requested === undefined || v.requested < q.current) {
      return { action: 'wait', reason: `volume ${v.claim} does not ask for ${binaryQuantity(q.current)} yet (the operator applies it)` };
    }
    if (v.capacity === undefined || v.capacity < v.requested) {
      return { action: 'wait', reason: `volume ${v.claim} is still growing to ${binaryQuantity(v.requested)} (the storage has not finished)` };
    }
  }
  const measured = q.volumes.flatMap((v) => (v.usage ? [percent(v.usage)] : []));
  if (measured.length === 0) return { action: 'wait', reason: 'no kubelet measured the data volumes (no pod mounts them?)' };
  const usedPercent = Math.max(...measured);
  if (usedPercent < q.thresholdPercent) return { action: 'keep', usedPercent };
  if (q.current >= q.max) return { action: 'at-max', usedPercent };
  const step = q.step ?? Math.max(q.current * DEFAULT_AUTOGROW_STEP_FRACTION, bytes(MIN_DEFAULT_AUTOGROW_STEP)!);
  // Whole MiB, so the size reads as a quantity the size fields take.
  const to = Math.min(q.max, Math.ceil((q.current + step) / MI) * MI);
  return { action: 'grow', to, usedPercent };
}

/** The instance's autogrow settings and current size, when its engine's volumes are grown by this Operation. */
function growable(xr: Json, instance: Instance): { current: number; thresholdPercent: number; step?: number; max: number } | undefined {
  const p = instance.parameters;
  const autogrow = enabledAutogrow(p);
  if (!autogrow) return undefined;
  // The engine it was composed on (the status says so once composed), else the one it asks for.
  const engineName = at(xr, 'status', 'engine');
  const engine = engineFor(typeof engineName === 'string' && engineName ? engineName : (p.engine ?? ''));
  if (!engine?.autogrowsVolumes) return undefined;
  const current = bytes(resolveSize(p, autogrownDisk(xr)).disk);
  const max = bytes(autogrow.max);
  if (current === undefined || max === undefined) return undefined;
  return { current, max, thresholdPercent: autogrow.thresholdPercent, ...(autogrow.step !== undefined ? { step: bytes(autogrow.step)! } : {}) };
}

function kubeletOf(node: Json): KubeletNode | undefined {
  const name = at(node, 'metadata', 'name');
  const addresses = at(node, 'status', 'addresses');
  const port = at(node, 'status', 'daemonEndpoints', 'kubeletEndpoint', 'Port');
  const list = Array.isArray(addresses) ? (addresses as Json[]) : [];
  const address = ['InternalIP', 'ExternalIP', 'Hostname'].map((type) => list.find((a) => a['type'] === type)?.['address']).find((a) => typeof a === 'string');
  if (typeof name !== 'string' || typeof address !== 'string') return undefined;
  return { name, host: address, port: typeof port === 'number' && port > 0 ? port : 10250 };
}

const storageOf = (pvc: Json, ...path: string[]): number | undefined => {
  const value = at(pvc, ...path, 'storage');
  return typeof value === 'string' ? bytes(value) : undefined;
};

interface Candidate {
  readonly xr: Json;
  readonly instance: Instance;
  readonly requirement: string;
  readonly settings: NonNullable<ReturnType<typeof growable>>;
}

export async function runDiskAutogrow(req: RunFunctionRequest, rsp: RunFunctionResponse, readVolumes: VolumeStatsReader): Promise<RunFunctionResponse> {
  if (!operationInput(req, rsp, autogrowInput, AUTOGROW_KIND, 'it reads the kubelets')) return rsp;
  // Grown as more is read: the instances' volumes are asked for once the XRs say which instances grow.
  const resources: Record<string, Selector> = { ...xrSelectors(), [REQUIRED_NODES]: selectAll('v1', 'Node') };
  rsp.requirements = { extraResources: {}, resources, schemas: {} };
  const required = req.requiredResources ?? {};
  const xrs = liveXrs(req);
  if (!xrs || required[REQUIRED_NODES] === undefined) return rsp;

  const candidates: Candidate[] = [];
  for (const { xr, instance } of xrs) {
    const settings = instance && growable(xr, instance);
    if (!instance || !settings) continue;
    const requirement = `${VOLUMES_PREFIX}${instance.namespace}.${instance.xrName}`;
    resources[requirement] = selectAll('v1', 'PersistentVolumeClaim', instance.namespace, { [COMPOSITE_LABEL]: labelValue(instance.xrName) });
    candidates.push({ xr, instance, requirement, settings });
  }
  if (candidates.some((c) => required[c.requirement] === undefined)) return rsp;

  const usage = new Map<string, VolumeUsage>();
  const unread: string[] = [];
  const nodes = candidates.length === 0 ? [] : (required[REQUIRED_NODES]?.items ?? []).flatMap((i) => (i.resource ? [i.resource] : []));
  const kubelets = nodes.flatMap((n) => kubeletOf(n) ?? []).sort((a, b) => a.name.localeCompare(b.name));
  const readings = await Promise.allSettled(kubelets.map((k) => readVolumes(k)));
  readings.forEach((r, i) => {
    if (r.status === 'fulfilled') for (const v of r.value) usage.set(`${v.namespace}/${v.claim}`, v);
    else unread.push(`${kubelets[i]!.name}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
  });

  const desired: NonNullable<RunFunctionResponse['desired']>['resources'] = {};
  const report = { grown: [] as string[], atMax: [] as string[], waiting: [] as string[], kept: [] as string[] };
  for (const c of candidates) {
    const who = `${c.instance.namespace}/${c.instance.claimName}`;
    const volumes: DataVolume[] = (required[c.requirement]?.items ?? [])
      .flatMap((i) => (i.resource && !at(i.resource, 'metadata', 'deletionTimestamp') ? [i.resource] : []))
      .map((pvc) => {
        const claim = String(at(pvc, 'metadata', 'name'));
        return {
          claim,
          requested: storageOf(pvc, 'spec', 'resources', 'requests'),
          capacity: storageOf(pvc, 'status', 'capacity'),
          usage: usage.get(`${c.instance.namespace}/${claim}`),
        };
      })
      .sort((a, b) => a.claim.localeCompare(b.claim));
    const decision = nextDiskSize({ ...c.settings, volumes });
    const used = 'usedPercent' in decision ? ` (${decision.usedPercent.toFixed(1)} % used, threshold ${c.settings.thresholdPercent} %)` : '';
    if (decision.action === 'grow') {
      const to = binaryQuantity(decision.to);
      desired[xrKey(c.xr, c.instance.namespaced ? c.instance.namespace : undefined, c.instance.xrName)] = {
        resource: annotatedXr(c.xr, { [AUTOGROWN_ANNOTATION]: to }),
        connectionDetails: {},
        ready: Ready.READY_UNSPECIFIED,
      };
      report.grown.push(`${who}: ${binaryQuantity(c.settings.current)} -> ${to}${used}`);
    } else if (decision.action === 'at-max') report.atMax.push(`${who}: ${binaryQuantity(c.settings.current)} is its max${used}`);
    else if (decision.action === 'wait') report.waiting.push(`${who}: ${decision.reason}`);
    else report.kept.push(`${who}${used}`);
  }
  rsp.desired = { composite: undefined, resources: desired };
  rsp.output = { instances: candidates.length, ...report, unreadNodes: unread };
  if (unread.length > 0) {
    rsp.results.push({ severity: Severity.SEVERITY_WARNING, message: `kubelet volume statistics not read from ${unread.join('; ')}` });
  }
  return rsp;
}
