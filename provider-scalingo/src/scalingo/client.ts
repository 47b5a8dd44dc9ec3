/**
 * Scalingo's public API as go-scalingo calls it: the API token is exchanged for a bearer JWT at the auth endpoint
 * (POST /v1/tokens/exchange, basic auth with the token as password), the region's endpoints come from
 * GET /v1/regions, dedicated databases live at /v1/databases (the "databases next generation" API), the plan is the
 * database addon's (PATCH /v1/apps/{app}/addons/{id}), and firewall rules are on the database API with an addon token.
 */
import type { CreateDatabase, RemoteDatabase, RemoteFirewallRule, ScalingoApi } from './api.js';
import { DEFAULT_RETRY, type HttpOptions, type JsonRequest, requestJson, ScalingoApiError } from './http.js';
import { TokenBucket } from './rate-limit.js';

export interface ClientConfig {
  apiToken: string;
  region: string;
  authEndpoint?: string | undefined;
  apiEndpoint?: string | undefined;
  http?: Partial<HttpOptions>;
  now?: () => number;
  /** Requests per second to Scalingo for this account (default 10, bursts of 20). */
  requestsPerSecond?: number;
}

export const DEFAULT_AUTH_ENDPOINT = 'https://auth.scalingo.com';
const ADDON_PROVIDER = 'postgresql';
/** go-scalingo renews the JWT when it has less than five minutes left. */
const JWT_RENEW_MS = 5 * 60_000;
const PER_PAGE = 50;

interface Region {
  name: string;
  api: string;
  database_api: string;
}
interface DatabaseNg {
  id: string;
  name: string;
  project_id: string;
  plan: string;
}
interface Pagination {
  next_page: number | null;
}
interface Addon {
  id: string;
  resource_id: string;
  status: string;
  plan?: { name?: string };
}
interface DbApiDatabase {
  status: string;
  plan: string;
  readable_version: string;
  hostname: string;
  instances?: { hostname: string; port: number; type: string }[];
}

export function jwtExpiry(jwt: string): number {
  const payload = jwt.split('.')[1];
  if (!payload) throw new Error('token exchange returned a malformed JWT');
  const { exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: number };
  if (typeof exp !== 'number') throw new Error('token exchange returned a JWT without exp');
  return exp * 1000;
}

export class ScalingoClient implements ScalingoApi {
  private readonly http: HttpOptions;
  private readonly now: () => number;
  private jwt: { token: string; expiresAt: number } | undefined;
  private endpoints: { api: string; databaseApi: string } | undefined;
  private readonly addonTokens = new Map<string, string>();
  private planIds: Map<string, string> | undefined;

  constructor(private readonly config: ClientConfig) {
    const perSecond = config.requestsPerSecond ?? 10;
    const bucket = new TokenBucket(perSecond, perSecond * 2);
    this.http = { retry: DEFAULT_RETRY, limit: () => bucket.take(), ...config.http };
    this.now = config.now ?? Date.now;
  }

  private get authEndpoint(): string {
    return (this.config.authEndpoint ?? DEFAULT_AUTH_ENDPOINT).replace(/\/$/, '');
  }

  private async bearer(): Promise<string> {
    if (!this.jwt || this.jwt.expiresAt - this.now() < JWT_RENEW_MS) {
      const basic = Buffer.from(`:${this.config.apiToken}`).toString('base64');
      const { token } = await requestJson<{ token: string }>(
        { method: 'POST', url: `${this.authEndpoint}/v1/tokens/exchange`, operation: 'tokens.exchange', authorization: `Basic ${basic}`, idempotent: true },
        this.http,
      );
      this.jwt = { token, expiresAt: jwtExpiry(token) };
    }
    return `Bearer ${this.jwt.token}`;
  }

  private async regionEndpoints(): Promise<{ api: string; databaseApi: string }> {
    if (!this.endpoints) {
      const { regions } = await requestJson<{ regions: Region[] }>(
        { method: 'GET', url: `${this.authEndpoint}/v1/regions`, operation: 'regions.list', authorization: await this.bearer(), idempotent: true },
        this.http,
      );
      const region = regions.find((candidate) => candidate.name === this.config.region);
      if (!region) throw new Error(`Scalingo has no region "${this.config.region}" (known: ${regions.map((r) => r.name).join(', ')})`);
      this.endpoints = { api: (this.config.apiEndpoint ?? region.api).replace(/\/$/, ''), databaseApi: region.database_api.replace(/\/$/, '') };
    }
    return this.endpoints;
  }

  private async api<T>(request: Omit<JsonRequest, 'url' | 'authorization'> & { path: string }): Promise<T> {
    const { api } = await this.regionEndpoints();
    const { path, ...rest } = request;
    return requestJson<T>({ ...rest, url: `${api}/v1${path}`, authorization: await this.bearer() }, this.http);
  }

  private async databaseApi<T>(database: RemoteDatabase, request: Omit<JsonRequest, 'url' | 'authorization'> & { path: string }): Promise<T> {
    const { databaseApi } = await this.regionEndpoints();
    let token = this.addonTokens.get(database.addonId);
    if (!token) {
      const { addon } = await this.api<{ addon: { token: string } }>({
        method: 'POST',
        path: `/apps/${database.id}/addons/${database.addonId}/token`,
        operation: 'addons.token',
        idempotent: true,
      });
      token = addon.token;
      this.addonTokens.set(database.addonId, token);
    }
    const { path, ...rest } = request;
    try {
      return await requestJson<T>({ ...rest, url: `${databaseApi}/api/databases/${database.addonId}${path}`, authorization: `Bearer ${token}` }, this.http);
    } catch (error) {
      // Addon tokens expire; drop it so the next call fetches a fresh one.
      if (error instanceof ScalingoApiError && error.status === 401) this.addonTokens.delete(database.addonId);
      throw error;
    }
  }

  /** Every database of the account, following meta.pagination.next_page. */
  private async listDatabases(): Promise<DatabaseNg[]> {
    const all: DatabaseNg[] = [];
    for (let page: number | null = 1; page !== null; ) {
      const response: { databases: DatabaseNg[]; meta?: { pagination?: Pagination } } = await this.api({
        method: 'GET',
        path: `/databases?page=${page}&per_page=${PER_PAGE}`,
        operation: 'databases.list',
        idempotent: true,
      });
      all.push(...response.databases);
      page = response.meta?.pagination?.next_page ?? null;
    }
    return all;
  }

  async findDatabase(idOrName: string): Promise<RemoteDatabase | undefined> {
    const found = (await this.listDatabases()).find((database) => database.id === idOrName || database.name === idOrName);
    if (!found) return undefined;
    const { addons } = await this.api<{ addons: Addon[] }>({ method: 'GET', path: `/apps/${found.id}/addons`, operation: 'addons.list', idempotent: true });
    const addon = addons[0];
    if (!addon || addons.length > 1) throw new Error(`Scalingo app ${found.name} has ${addons.length} addons; a dedicated database has exactly one`);
    const partial: RemoteDatabase = {
      id: found.id,
      name: found.name,
      projectId: found.project_id,
      plan: addon.plan?.name ?? found.plan,
      addonId: addon.id,
      status: addon.status === 'provisioning' ? 'creating' : addon.status,
      version: '',
      host: '',
      port: 0,
      database: addon.resource_id,
    };
    const { database } = await this.databaseApi<{ database: DbApiDatabase }>(partial, { method: 'GET', path: '', operation: 'database.show', idempotent: true });
    const node = database.instances?.find((instance) => instance.type === 'db-node');
    return {
      ...partial,
      plan: database.plan || partial.plan,
      status: database.status,
      version: database.readable_version.split('.')[0] ?? '',
      host: database.hostname || node?.hostname || '',
      port: node?.port ?? 0,
    };
  }

  private async planId(plan: string): Promise<string> {
    if (!this.planIds) {
      const { plans } = await this.api<{ plans: { id: string; name: string }[] }>({
        method: 'GET',
        path: `/addon_providers/${ADDON_PROVIDER}/plans`,
        operation: 'plans.list',
        idempotent: true,
      });
      this.planIds = new Map(plans.map((candidate) => [candidate.name, candidate.id]));
    }
    const id = this.planIds.get(plan);
    if (!id) throw new Error(`Scalingo has no PostgreSQL plan "${plan}"`);
    return id;
  }

  async createDatabase(input: CreateDatabase): Promise<{ id: string }> {
    const body = { addon_provider_id: ADDON_PROVIDER, plan_id: await this.planId(input.plan), name: input.name, ...(input.projectId ? { project_id: input.projectId } : {}) };
    // Not idempotent: after a timeout the database may exist, so no automatic repeat (see http.ts).
    const { database } = await this.api<{ database: DatabaseNg }>({ method: 'POST', path: '/databases', operation: 'databases.create', body, idempotent: false });
    return { id: database.id };
  }

  async changePlan(database: RemoteDatabase, plan: string): Promise<void> {
    const body = { addon: { plan_id: await this.planId(plan) } };
    await this.api({ method: 'PATCH', path: `/apps/${database.id}/addons/${database.addonId}`, operation: 'addons.upgrade', body, idempotent: true });
  }

  async firewallRules(database: RemoteDatabase): Promise<RemoteFirewallRule[]> {
    const { rules } = await this.databaseApi<{ rules: { id: string; type: string; cidr: string; label: string }[] }>(database, {
      method: 'GET',
      path: '/firewall_rules',
      operation: 'firewall.list',
      idempotent: true,
    });
    return rules.filter((rule) => rule.type === 'custom_range').map(({ id, cidr, label }) => ({ id, cidr, label }));
  }

  async addFirewallRule(database: RemoteDatabase, rule: { cidr: string; label?: string }): Promise<void> {
    const body = { type: 'custom_range', cidr: rule.cidr, ...(rule.label ? { label: rule.label } : {}) };
    // A repeated add of the same CIDR is refused with 422, never doubled, so retrying is safe.
    await this.databaseApi(database, { method: 'POST', path: '/firewall_rules', operation: 'firewall.create', body, idempotent: true });
  }

  async deleteFirewallRule(database: RemoteDatabase, ruleId: string): Promise<void> {
    await this.databaseApi(database, { method: 'DELETE', path: `/firewall_rules/${ruleId}`, operation: 'firewall.delete', idempotent: true });
  }

  async connectionUrl(database: RemoteDatabase): Promise<string> {
    const { variables } = await this.api<{ variables: { name: string; value: string }[] }>({
      method: 'GET',
      path: `/apps/${database.id}/variables?aliases=false`,
      operation: 'variables.list',
      idempotent: true,
    });
    const url = variables.find((variable) => variable.name === 'SCALINGO_POSTGRESQL_URL')?.value;
    if (!url) throw new Error(`Scalingo app ${database.name} has no SCALINGO_POSTGRESQL_URL yet`);
    return url;
  }

  async deleteDatabase(database: RemoteDatabase): Promise<void> {
    try {
      await this.api({
        method: 'DELETE',
        path: `/apps/${database.id}?current_name=${encodeURIComponent(database.name)}`,
        operation: 'databases.delete',
        idempotent: true,
      });
    } catch (error) {
      if (!(error instanceof ScalingoApiError && error.notFound)) throw error;
    }
  }
}
