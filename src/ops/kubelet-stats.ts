/**
 * The kubelet's volume statistics, the disk-autogrow Operation's one source of how full a volume is. Why the kubelet
 * and not Prometheus: the kubelet measures the volume itself (statfs of the mounted file system; Prometheus's
 * `kubelet_volume_stats_*` are these same figures, scraped), it is on every cluster, and a platform without
 * Prometheus still gets a disk that grows.
 *
 * Read straight from each node's kubelet (`GET /stats/summary`), never through the API server's node proxy: the
 * kubelet authorizes `/stats/*` as the narrow `nodes/stats` subresource, while the proxy needs `nodes/proxy`, which
 * also reaches the kubelet's exec and attach endpoints. The service account's token authenticates; the kubelet's
 * serving certificate is checked against the service account's CA (the cluster's), or not at all with
 * `--kubelet-insecure-tls` for kubelets whose certificates are self-signed.
 *
 * This module is the only I/O the function does besides its gRPC server, and only in operation mode.
 */
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';

export interface KubeletNode {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

/** One PersistentVolumeClaim's file system, as a kubelet that mounts it measured it. */
export interface VolumeUsage {
  readonly namespace: string;
  readonly claim: string;
  readonly usedBytes: number;
  readonly capacityBytes: number;
}

export type VolumeStatsReader = (node: KubeletNode) => Promise<VolumeUsage[]>;

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const TIMEOUT_MS = 10_000;
const MAX_SUMMARY_BYTES = 32 * 1024 * 1024;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The PVC-backed volumes of a kubelet's `/stats/summary` answer; a volume mounted by two pods counts once. */
export function volumesInSummary(summary: unknown): VolumeUsage[] {
  const found = new Map<string, VolumeUsage>();
  const pods = isObject(summary) && Array.isArray(summary['pods']) ? summary['pods'] : [];
  for (const pod of pods) {
    const volumes = isObject(pod) && Array.isArray(pod['volume']) ? pod['volume'] : [];
    for (const volume of volumes) {
      if (!isObject(volume) || !isObject(volume['pvcRef'])) continue;
      const { name, namespace } = volume['pvcRef'];
      const { usedBytes, capacityBytes } = volume;
      if (typeof name !== 'string' || typeof namespace !== 'string') continue;
      if (typeof usedBytes !== 'number' || typeof capacityBytes !== 'number' || capacityBytes <= 0) continue;
      found.set(`${namespace}/${name}`, { namespace, claim: name, usedBytes, capacityBytes });
    }
  }
  return [...found.values()];
}

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch {
    return undefined;
  }
}

/** Reads with the pod's service account, read again on every run (tokens are rotated). */
export function kubeletStatsReader(insecureTls: boolean, serviceAccountDir = SERVICE_ACCOUNT_DIR): VolumeStatsReader {
  return async (node) => {
    const [token, ca] = await Promise.all([readOptional(`${serviceAccountDir}/token`), readOptional(`${serviceAccountDir}/ca.crt`)]);
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: node.host,
          port: node.port,
          path: '/stats/summary',
          method: 'GET',
          // The certificate names the node's address or name; the request goes to the address.
          servername: node.name,
          rejectUnauthorized: !insecureTls,
          ...(ca && !insecureTls ? { ca } : {}),
          headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token.toString('utf8').trim()}` } : {}) },
          timeout: TIMEOUT_MS,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_SUMMARY_BYTES) req.destroy(new Error(`answer larger than ${MAX_SUMMARY_BYTES} bytes`));
            else chunks.push(chunk);
          });
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode === 200) resolve(text);
            else reject(new Error(`HTTP ${res.statusCode ?? '?'}: ${text.slice(0, 200).trim()}`));
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
      req.on('error', reject);
      req.end();
    });
    return volumesInSummary(JSON.parse(body));
  };
}
