/**
 * A stub of the few Kubernetes API paths the provider uses (custom objects with a status subresource, Secrets),
 * with resourceVersion conflicts, finalizer-aware deletion and the garbage collector's part (an object goes with the
 * object its ownerReferences name). A test double for the controller's glue, NOT the real
 * API server: nothing here proves behaviour against Kubernetes itself.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

type Obj = {
  metadata: { name: string; namespace?: string; resourceVersion?: string; finalizers?: string[]; deletionTimestamp?: string; uid?: string; generation?: number; ownerReferences?: { uid: string }[] };
  status?: unknown;
  [key: string]: unknown;
};

export class KubeStub {
  /** path without /status → object */
  readonly objects = new Map<string, Obj>();
  readonly requests: string[] = [];
  private server: Server | undefined;
  private version = 100;
  url = '';

  put(path: string, object: Obj): void {
    this.version += 1;
    this.objects.set(path, structuredClone({ ...object, metadata: { uid: `uid-${this.version}`, generation: 1, ...object.metadata, resourceVersion: String(this.version) } }));
  }

  get(path: string): Obj | undefined {
    return this.objects.get(path);
  }

  async start(): Promise<KubeConfig> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const url = new URL(request.url ?? '/', 'http://stub');
        const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Obj) : undefined;
        this.requests.push(`${request.method} ${url.pathname}`);
        const [status, result] = this.handle(request.method ?? 'GET', url.pathname, body);
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(result));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'stub', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'stub', token: 'stub' }],
      contexts: [{ name: 'stub', cluster: 'stub', user: 'stub' }],
      currentContext: 'stub',
    });
    return config;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Deletes the object and, as Kubernetes' garbage collector does (background propagation), what it owns. */
  private remove(key: string): void {
    const uid = this.objects.get(key)?.metadata.uid;
    this.objects.delete(key);
    for (const [other, object] of [...this.objects]) {
      if (uid && object.metadata.ownerReferences?.some((owner) => owner.uid === uid)) this.remove(other);
    }
  }

  private status(code: number, reason: string): [number, unknown] {
    return [code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code }];
  }

  private handle(method: string, path: string, body: Obj | undefined): [number, unknown] {
    const isStatus = path.endsWith('/status');
    const key = isStatus ? path.slice(0, -'/status'.length) : path;
    const existing = this.objects.get(key);
    if (method === 'GET') {
      if (existing) return [200, existing];
      // A list: every object under the collection path, in any namespace for cluster-wide lists.
      const plural = path.split('/').pop()!;
      const items = [...this.objects.entries()].filter(([stored]) => stored.split('/').at(-2) === plural).map(([, object]) => object);
      if (items.length || /\/(providerconfigusages|databases|providerconfigs|clusterproviderconfigs)$/.test(path)) return [200, { items, metadata: { resourceVersion: String(this.version) } }];
      return this.status(404, 'NotFound');
    }
    if (method === 'POST') {
      const target = `${path}/${body!.metadata.name}`;
      if (this.objects.has(target)) return this.status(409, 'AlreadyExists');
      this.put(target, body!);
      return [201, this.objects.get(target)];
    }
    if (!existing) return this.status(404, 'NotFound');
    if (method === 'DELETE') {
      if (existing.metadata.finalizers?.length) {
        existing.metadata.deletionTimestamp ??= new Date(0).toISOString();
        return [200, existing];
      }
      this.remove(key);
      return [200, existing];
    }
    if (method === 'PUT') {
      if (body!.metadata.resourceVersion !== existing.metadata.resourceVersion) return this.status(409, 'Conflict');
      // The status subresource writes only status; the main resource never writes status.
      const next = isStatus ? { ...existing, status: body!.status } : { ...body!, status: existing.status, metadata: { ...body!.metadata, deletionTimestamp: existing.metadata.deletionTimestamp } };
      if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length) {
        this.remove(key);
        return [200, next];
      }
      this.put(key, next as Obj);
      return [200, this.objects.get(key)];
    }
    return this.status(405, 'MethodNotAllowed');
  }
}
