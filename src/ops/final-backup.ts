/**
 * Operation mode: the backup before delete (compose/final-backup.ts says how the composition holds an instance). Two
 * Operations call this with input kind `FinalBackup` (deploy/final-backup.yaml): a WatchOperation on the gate Usages,
 * so arming and a deletion are seen at once, and a CronOperation every minute, which sees a backup complete. Each run
 * reads every gate and does the one next step for each, so a run seeing stale state only repeats an apply.
 *
 * Operations can only apply (server-side apply; no deletes). To let a gate go, the run gives it an owner reference to
 * an object that doesn't exist; Kubernetes' garbage collector deletes an object whose every owner is gone.
 */
import { Ready, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { z } from 'zod';
import { INPUT_GROUP, INPUT_VERSION } from '../api/input.js';
import {
  FINAL_BACKUP_ENGINE_LABEL,
  FINAL_BACKUP_GATE_LABEL,
  FINAL_BACKUP_LABEL,
  FINAL_BACKUP_MANIFEST_ANNOTATION,
} from '../compose/final-backup.js';
import { fitName } from '../compose/names.js';
import type { KubeObject } from '../compose/types.js';
import type { FinalBackupSupport } from '../engines/engine.js';
import { engineFor } from '../engines/index.js';
import { at, scalarText } from '../util/observed.js';
import { liveXrs, operationInput, selectAll, xrSelectors, type Selector } from './operation.js';

export const FINAL_BACKUP_KIND = 'FinalBackup';
/** Requirement names; the Operations' bootstrap requirements use the same (deploy/final-backup.yaml). */
export const REQUIRED_GATE_USAGES = 'final-backup-usages';
export const REQUIRED_GATES = 'final-backup-gates';
const requiredBackups = (engine: string) => `final-backups.${engine}`;
/** On a gate: the XR it was armed for, which must be gone before the backup is taken. */
export const GATE_XR_UID_ANNOTATION = 'dbaas.dev/xr-uid';
/** On a gate: why it holds the instance after its last attempt failed. */
export const GATE_FAILED_ANNOTATION = 'dbaas.dev/final-backup-failed';
export const ATTEMPT_LABEL = 'dbaas.dev/final-backup-attempt';
/** Failed backups are taken again this often; then the gate holds until a person acts (README, "Backup before delete"). */
export const MAX_ATTEMPTS = 3;

const finalBackupInput = z
  .object({ apiVersion: z.literal(`${INPUT_GROUP}/${INPUT_VERSION}`), kind: z.literal(FINAL_BACKUP_KIND) })
  .strict();

type Json = Record<string, unknown>;

export const isFinalBackupInput = (input: Json | undefined): boolean => input?.['kind'] === FINAL_BACKUP_KIND;

/** One gate as read: its Usages, the ConfigMap itself once armed, whether its XR lives, and its backups so far. */
export interface Gate {
  readonly namespace: string;
  readonly name: string;
  readonly usages: readonly Json[];
  readonly configMap: Json | undefined;
  readonly xrUid: string | undefined;
  readonly xrAlive: boolean;
  readonly backups: readonly Json[];
  readonly engine: FinalBackupSupport | undefined;
}

export type Step =
  | { readonly do: 'arm' }
  | { readonly do: 'none'; readonly why: string }
  | { readonly do: 'backup'; readonly attempt: number }
  | { readonly do: 'wait'; readonly why: string }
  | { readonly do: 'release'; readonly why: string }
  | { readonly do: 'hold'; readonly why: string };

const attemptOf = (backup: Json): number => Number(scalarText(at(backup, 'metadata', 'labels', ATTEMPT_LABEL))) || 1;
const deleting = (object: Json): boolean => Boolean(at(object, 'metadata', 'deletionTimestamp'));

/** The next step for one gate. */
export function nextStep(gate: Gate): Step {
  const held = gate.usages.length > 0;
  if (!gate.configMap) {
    if (held && gate.xrAlive && !gate.usages.some(deleting)) return { do: 'arm' };
    return { do: 'none', why: gate.xrAlive ? 'its Usages are going' : 'the instance went before it was armed' };
  }
  if (gate.xrAlive) {
    // The claim turned finalBackupOnDelete off: Crossplane deletes the Usages, which wait for the gate.
    if (!held || gate.usages.some(deleting)) return { do: 'release', why: 'finalBackupOnDelete was turned off' };
    return { do: 'none', why: 'armed' };
  }
  if (!held) return { do: 'release', why: 'nothing is held any more' };
  if (!gate.engine) return { do: 'hold', why: 'its Usages name no engine that takes final backups' };
  const latest = [...gate.backups].sort((a, b) => attemptOf(a) - attemptOf(b)).at(-1);
  if (!latest) return { do: 'backup', attempt: 1 };
  const outcome = gate.engine.outcome(latest);
  const name = scalarText(at(latest, 'metadata', 'name'));
  if (outcome.state === 'completed') return { do: 'release', why: `final backup ${name} completed` };
  if (outcome.state === 'running') return { do: 'wait', why: `final backup ${name} runs` };
  const attempt = attemptOf(latest);
  if (attempt < MAX_ATTEMPTS) return { do: 'backup', attempt: attempt + 1 };
  return { do: 'hold', why: `final backup ${name} failed (${outcome.reason}), attempt ${attempt} of ${MAX_ATTEMPTS}` };
}

/** The gate ConfigMap with `metadata` (each run applies only what it sets: server-side apply keeps the rest). */
const gateObject = (gate: Gate, metadata: Record<string, unknown>, data?: Record<string, string>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: gate.name, namespace: gate.namespace, ...metadata }, ...(data ? { data } : {}) }) as KubeObject;

/** The gate, made by the first run that sees its Usages: labelled as its Usages are, so the composition finds it. */
export function armedGate(gate: Gate): KubeObject {
  const labels = { ...((at(gate.usages[0], 'metadata', 'labels') ?? {}) as Record<string, string>) };
  delete labels[FINAL_BACKUP_ENGINE_LABEL];
  return gateObject(
    gate,
    { labels: { ...labels, [FINAL_BACKUP_LABEL]: 'gate' }, annotations: gate.xrUid ? { [GATE_XR_UID_ANNOTATION]: gate.xrUid } : {} },
    { purpose: 'While this exists, Crossplane Usages keep the instance until its final backup completed (function-postgresql).' },
  );
}

/**
 * The gate owned by an object that doesn't exist: the garbage collector deletes it, then the Usages it owns, and
 * Crossplane replays the deletes they refused. The owner's uid is made from the gate's own, so it can name nothing.
 */
export function releasedGate(gate: Gate): KubeObject {
  const uid = scalarText(at(gate.configMap, 'metadata', 'uid')) || gate.name;
  return gateObject(gate, { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: `${gate.name}-released`, uid: `${uid}-released` }] });
}

/** The gate, still holding, with why. */
const heldGate = (gate: Gate, why: string): KubeObject => gateObject(gate, { annotations: { [GATE_FAILED_ANNOTATION]: why } });

/** The engine's backup object from the Usages' annotation, named for its attempt. */
export function attemptBackup(gate: Gate, attempt: number): KubeObject | undefined {
  const text = gate.usages.map((u) => at(u, 'metadata', 'annotations', FINAL_BACKUP_MANIFEST_ANNOTATION)).find((t) => typeof t === 'string');
  const manifest = typeof text === 'string' ? parseManifest(text) : undefined;
  if (!manifest) return undefined;
  const name = attempt === 1 ? manifest.metadata.name : fitName(`${manifest.metadata.name}-${attempt}`);
  return { ...manifest, metadata: { ...manifest.metadata, name, labels: { ...manifest.metadata.labels, [ATTEMPT_LABEL]: String(attempt) } } };
}

/** The annotation as the composition wrote it, or undefined when someone changed it into something else. */
function parseManifest(text: string): KubeObject | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<KubeObject> | null;
    const name = parsed?.metadata?.name;
    return parsed && typeof parsed.apiVersion === 'string' && typeof parsed.kind === 'string' && typeof name === 'string' && name ? (parsed as KubeObject) : undefined;
  } catch {
    return undefined;
  }
}

const items = (req: RunFunctionRequest, key: string): Json[] | undefined =>
  req.requiredResources?.[key] === undefined ? undefined : (req.requiredResources[key]?.items ?? []).flatMap((i) => (i.resource ? [i.resource] : []));

const controllerUid = (object: Json): string | undefined => {
  const refs = at(object, 'metadata', 'ownerReferences');
  const controller = Array.isArray(refs) ? (refs as Json[]).find((r) => r['controller'] === true) : undefined;
  return typeof controller?.['uid'] === 'string' ? controller['uid'] : undefined;
};

/** What to fetch, and every gate named by a Usage or existing as a ConfigMap, read into `Gate`s once all was fetched. */
export function readGates(req: RunFunctionRequest): { gates?: Gate[]; requirements: Record<string, Selector> } {
  const requirements: Record<string, Selector> = {
    [REQUIRED_GATE_USAGES]: selectAll('protection.crossplane.io/v1beta1', 'Usage', '', { [FINAL_BACKUP_LABEL]: 'gate' }),
    [REQUIRED_GATES]: selectAll('v1', 'ConfigMap', '', { [FINAL_BACKUP_LABEL]: 'gate' }),
    ...xrSelectors(),
  };
  const usages = items(req, REQUIRED_GATE_USAGES);
  const configMaps = items(req, REQUIRED_GATES);
  const xrs = liveXrs(req);
  if (!usages || !configMaps || !xrs) return { requirements };
  const engines = [...new Set(usages.map((u) => scalarText(at(u, 'metadata', 'labels', FINAL_BACKUP_ENGINE_LABEL))))].sort();
  for (const name of engines) {
    const support = engineFor(name)?.finalBackup;
    if (support) requirements[requiredBackups(name)] = selectAll(support.apiVersion, support.kind, '', { [FINAL_BACKUP_LABEL]: 'backup' });
  }
  const backupsRead = engines.map((name) => (engineFor(name)?.finalBackup ? items(req, requiredBackups(name)) : []));
  if (backupsRead.some((b) => b === undefined)) return { requirements };
  const backups = backupsRead.flatMap((b) => b ?? []);
  const liveUids = new Set(xrs.map(({ xr }) => scalarText(at(xr, 'metadata', 'uid'))));

  const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;
  const names = new Map<string, { namespace: string; name: string }>();
  for (const u of usages) {
    const namespace = scalarText(at(u, 'metadata', 'namespace'));
    const name = scalarText(at(u, 'spec', 'by', 'resourceRef', 'name'));
    if (name) names.set(keyOf(namespace, name), { namespace, name });
  }
  for (const c of configMaps) {
    const namespace = scalarText(at(c, 'metadata', 'namespace'));
    names.set(keyOf(namespace, scalarText(at(c, 'metadata', 'name'))), { namespace, name: scalarText(at(c, 'metadata', 'name')) });
  }
  const gates = [...names.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, { namespace, name }]): Gate => {
      const inNamespace = (o: Json) => at(o, 'metadata', 'namespace') === namespace;
      const own = usages.filter((u) => inNamespace(u) && at(u, 'spec', 'by', 'resourceRef', 'name') === name);
      const configMap = configMaps.find((c) => inNamespace(c) && at(c, 'metadata', 'name') === name);
      const recorded = at(configMap, 'metadata', 'annotations', GATE_XR_UID_ANNOTATION);
      const xrUid = typeof recorded === 'string' && recorded ? recorded : own.map(controllerUid).find((uid) => uid !== undefined);
      const engineName = own.map((u) => scalarText(at(u, 'metadata', 'labels', FINAL_BACKUP_ENGINE_LABEL))).find((e) => e !== '');
      return {
        namespace,
        name,
        usages: own,
        configMap,
        xrUid,
        xrAlive: xrUid !== undefined && liveUids.has(xrUid),
        backups: backups.filter((b) => inNamespace(b) && at(b, 'metadata', 'labels', FINAL_BACKUP_GATE_LABEL) === name),
        engine: engineName ? engineFor(engineName)?.finalBackup : undefined,
      };
    });
  return { gates, requirements };
}

export function runFinalBackup(req: RunFunctionRequest, rsp: RunFunctionResponse): RunFunctionResponse {
  const input = operationInput(req, rsp, finalBackupInput, FINAL_BACKUP_KIND, 'it takes backups of deleted instances');
  if (!input) return rsp;
  const read = readGates(req);
  rsp.requirements = { extraResources: {}, resources: read.requirements, schemas: {} };
  if (!read.gates) return rsp;
  const desired: NonNullable<RunFunctionResponse['desired']>['resources'] = {};
  const report: Record<string, string[]> = { armed: [], backingUp: [], waiting: [], released: [], held: [] };
  const put = (key: string, object: KubeObject) => {
    desired[key] = { resource: object, connectionDetails: {}, ready: Ready.READY_UNSPECIFIED };
  };
  for (const gate of read.gates) {
    const step = nextStep(gate);
    const id = `${gate.namespace}/${gate.name}`;
    switch (step.do) {
      case 'arm':
        put(`gate.${gate.namespace}.${gate.name}`, armedGate(gate));
        report['armed']!.push(id);
        break;
      case 'backup': {
        const backup = attemptBackup(gate, step.attempt);
        if (backup) put(`backup.${gate.namespace}.${backup.metadata.name}`, backup);
        report['backingUp']!.push(`${id}: ${backup ? `${backup.metadata.name} (attempt ${step.attempt})` : 'its Usages carry no backup to take'}`);
        break;
      }
      case 'release':
        put(`gate.${gate.namespace}.${gate.name}`, releasedGate(gate));
        report['released']!.push(`${id}: ${step.why}`);
        break;
      case 'hold':
        put(`gate.${gate.namespace}.${gate.name}`, heldGate(gate, step.why));
        report['held']!.push(`${id}: ${step.why}`);
        break;
      case 'wait':
        report['waiting']!.push(`${id}: ${step.why}`);
        break;
      case 'none':
        break;
    }
  }
  rsp.desired = { composite: undefined, resources: desired };
  rsp.output = { gates: read.gates.length, ...report };
  return rsp;
}
