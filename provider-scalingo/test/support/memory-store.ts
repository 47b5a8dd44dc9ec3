/**
 * An in-memory ResourceStore standing in for the Kubernetes API in unit tests and the fault run: it keeps the
 * stored Database, the connection Secret and the usage, bumps resourceVersion, and can "crash" on a chosen write.
 */
import type { DatabaseResource } from '../../src/reconciler/resource.js';
import type { ResourceStore } from '../../src/reconciler/store.js';

export class CrashError extends Error {
  constructor() {
    super('provider crashed (injected)');
  }
}

export class MemoryStore implements ResourceStore {
  stored: DatabaseResource;
  secret: { name: string; data: Record<string, string> } | undefined;
  usage = false;
  /** Every write, in order: "update", "status", "secret", "usage+". */
  readonly writes: string[] = [];
  /** Called before each spec/metadata write; throwing simulates a crash at that point. */
  beforeUpdate: (next: DatabaseResource, previous: DatabaseResource) => void = () => undefined;
  /** After a crash nothing more is written until the provider "restarts" (the fault run sets this back). */
  dead = false;
  /** A broken store that loses the pending annotation: the control run shows duplicates then appear. */
  forgetPending = false;
  private version = 1;

  private alive(resource?: DatabaseResource): void {
    if (this.dead) throw new CrashError();
    // As the API server: a write based on an older resourceVersion is refused.
    if (resource && resource.metadata.resourceVersion !== this.stored.metadata.resourceVersion) {
      throw Object.assign(new Error(`conflict: resourceVersion ${resource.metadata.resourceVersion}, stored ${this.stored.metadata.resourceVersion}`), { code: 409 });
    }
  }

  constructor(initial: DatabaseResource) {
    this.stored = structuredClone({ ...initial, metadata: { ...initial.metadata, resourceVersion: '1' } });
  }

  /** What a restarted provider would read back. */
  read(): DatabaseResource {
    return structuredClone(this.stored);
  }

  async update(resource: DatabaseResource): Promise<DatabaseResource> {
    this.alive(resource);
    try {
      this.beforeUpdate(resource, this.stored);
    } catch (error) {
      if (error instanceof CrashError) this.dead = true;
      throw error;
    }
    if (this.forgetPending && resource.metadata.annotations) {
      const { ['crossplane.io/external-create-pending']: _forgotten, ...kept } = resource.metadata.annotations;
      resource = { ...resource, metadata: { ...resource.metadata, annotations: kept } };
    }
    this.version += 1;
    // As the API server: spec and metadata from the caller, status kept from storage.
    this.stored = structuredClone({ ...resource, status: this.stored.status, metadata: { ...resource.metadata, resourceVersion: String(this.version) } });
    this.writes.push('update');
    return this.read();
  }

  async updateStatus(resource: DatabaseResource): Promise<DatabaseResource> {
    this.alive(resource);
    this.version += 1;
    this.stored = structuredClone({ ...this.stored, status: resource.status, metadata: { ...this.stored.metadata, resourceVersion: String(this.version) } });
    this.writes.push('status');
    return this.read();
  }

  async applyConnectionSecret(_resource: DatabaseResource, name: string, data: Record<string, string>): Promise<void> {
    this.alive();
    this.secret = { name, data: { ...data } };
    this.writes.push('secret');
  }

  async ensureUsage(): Promise<void> {
    this.alive();
    if (!this.usage) this.writes.push('usage+');
    this.usage = true;
  }
}
