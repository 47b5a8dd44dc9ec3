/**
 * Contract test double of Scalingo's public API (auth, regional API and database API on one port), following the
 * paths, payloads, status codes and pagination that go-scalingo and scalingo-operator use. It is NOT Scalingo: it is
 * what the provider's tests run against because this machine cannot reach the real service.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultInjector } from './faults.js';
import { FakeScalingoState, type FakeDatabase } from './state.js';

export const FAKE_API_TOKEN = 'tk-us-fake-token';
const JWT_LIFETIME_S = 3600;

type Handler = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;
interface FakeRequest {
  method: string;
  params: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
}
interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const notFound = (resource: string): FakeResponse => ({ status: 404, body: { resource, error: 'not found' } });
const unprocessable = (field: string, message: string): FakeResponse => ({ status: 422, body: { errors: { [field]: [message] } } });

export class FakeScalingoServer {
  readonly faults = new FaultInjector();
  /** Requests by "METHOD /path-pattern", for tests that check what the client called. */
  readonly calls: string[] = [];
  private server: Server | undefined;
  private baseUrl = '';
  private readonly issuedJwts = new Map<string, number>();
  private readonly addonTokens = new Map<string, string>();
  private readonly routes: [string, RegExp, Handler][] = [];
  /** How long a "timeout" fault holds the request before dropping it. */
  hangMs = 50;

  constructor(readonly state: FakeScalingoState) {
    this.route('POST', /^\/v1\/tokens\/exchange$/, (request) => this.exchange(request));
    this.route('GET', /^\/v1\/regions$/, () => ({
      status: 200,
      body: { regions: [{ name: 'osc-fr1', display_name: 'Paris - SecNumCloud', api: this.baseUrl, database_api: this.baseUrl, default: true }] },
    }));
    this.route('POST', /^\/v1\/databases$/, (request) => this.createDatabase(request));
    this.route('GET', /^\/v1\/databases$/, (request) => this.listDatabases(request));
    this.route('GET', /^\/v1\/addon_providers\/([^/]+)\/plans$/, () => ({ status: 200, body: { plans: this.state.planList() } }));
    this.route('GET', /^\/v1\/apps\/([^/]+)\/addons$/, (request) => this.withApp(request, (db) => ({ status: 200, body: { addons: [this.addon(db)] } })));
    this.route('PATCH', /^\/v1\/apps\/([^/]+)\/addons\/([^/]+)$/, (request) => this.withApp(request, (db) => this.upgrade(db, request)));
    this.route('POST', /^\/v1\/apps\/([^/]+)\/addons\/([^/]+)\/token$/, (request) => this.withApp(request, (db) => this.addonToken(db)));
    this.route('GET', /^\/v1\/apps\/([^/]+)\/variables$/, (request) =>
      this.withApp(request, (db) => ({ status: 200, body: { variables: [{ id: `var-${db.appId}`, name: 'SCALINGO_POSTGRESQL_URL', value: this.state.url(db) }] } })),
    );
    this.route('DELETE', /^\/v1\/apps\/([^/]+)$/, (request) => this.withApp(request, (db) => this.destroy(db, request)));
    this.route('GET', /^\/api\/databases\/([^/]+)$/, (request) => this.withAddon(request, (db) => ({ status: 200, body: { database: this.dbApiDatabase(db) } })));
    this.route('GET', /^\/api\/databases\/([^/]+)\/firewall_rules$/, (request) => this.withAddon(request, (db) => ({ status: 200, body: { rules: db.firewallRules } })));
    this.route('POST', /^\/api\/databases\/([^/]+)\/firewall_rules$/, (request) => this.withAddon(request, (db) => this.addRule(db, request)));
    this.route('DELETE', /^\/api\/databases\/([^/]+)\/firewall_rules\/([^/]+)$/, (request) =>
      this.withAddon(request, (db) => {
        const before = db.firewallRules.length;
        db.firewallRules = db.firewallRules.filter((rule) => rule.id !== request.params[1]);
        return before === db.firewallRules.length ? notFound('firewall_rule') : { status: 204 };
      }),
    );
  }

  get url(): string {
    return this.baseUrl;
  }

  /**
   * Listens on `host` (loopback unless told; the e2e harness gives the node's address, where pods reach it) and
   * `port` (0: any free port); returns the base URL, which the regions list also names as the API endpoints.
   */
  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    this.baseUrl = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private route(method: string, pattern: RegExp, handler: Handler): void {
    this.routes.push([method, pattern, handler]);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://fake');
    const method = request.method ?? 'GET';
    const match = this.routes.find(([routeMethod, pattern]) => routeMethod === method && pattern.test(url.pathname));
    this.calls.push(`${method} ${url.pathname}`);
    if (!match) return this.send(response, { status: 404, body: { error: `no route ${method} ${url.pathname}` } });

    const fault = this.faults.next(method !== 'GET');
    if (fault === 'tooMany') return this.send(response, { status: 429, body: { error: 'rate limit exceeded' }, headers: { 'retry-after': '1' } });
    if (fault === 'serverError') return this.send(response, { status: 503, body: { error: 'service unavailable' } });
    if (fault === 'timeout') {
      await new Promise((resolve) => setTimeout(resolve, this.hangMs));
      response.socket?.destroy();
      return;
    }

    let body: Record<string, unknown> = {};
    try {
      body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      return this.send(response, { status: 400, body: { error: 'invalid JSON' } });
    }
    const [, pattern, handler] = match;
    const params = (pattern.exec(url.pathname) ?? []).slice(1).map(decodeURIComponent);
    const isAuth = url.pathname === '/v1/tokens/exchange' || url.pathname === '/v1/regions';
    const denied = isAuth ? undefined : this.authorize(url.pathname, request.headers.authorization, params[0]);
    const result = denied ?? (await handler({ method, params, query: url.searchParams, body, headers: request.headers }));
    if (fault === 'lostResponse') {
      response.socket?.destroy();
      return;
    }
    this.send(response, result);
  }

  private send(response: ServerResponse, result: FakeResponse): void {
    response.writeHead(result.status, { 'content-type': 'application/json', ...result.headers });
    response.end(result.body === undefined ? undefined : JSON.stringify(result.body));
  }

  /** Regional API calls need a live JWT from the exchange; database API calls need that addon's token. */
  private authorize(path: string, header: string | undefined, addonId: string | undefined): FakeResponse | undefined {
    const bearer = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (path.startsWith('/api/')) {
      return bearer && addonId && this.addonTokens.get(addonId) === bearer ? undefined : { status: 401, body: { error: 'invalid addon token' } };
    }
    const expires = bearer ? this.issuedJwts.get(bearer) : undefined;
    return expires !== undefined && expires > this.state.clock.now() ? undefined : { status: 401, body: { error: 'You are not authorized to do this operation' } };
  }

  private exchange(request: FakeRequest): FakeResponse {
    const basic = request.headers.authorization?.startsWith('Basic ') ? Buffer.from(request.headers.authorization.slice(6), 'base64').toString() : '';
    const password = basic.slice(basic.indexOf(':') + 1);
    if (password !== FAKE_API_TOKEN) return { status: 401, body: { error: 'invalid token' } };
    const exp = Math.floor(this.state.clock.now() / 1000) + JWT_LIFETIME_S;
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const jwt = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ exp, iss: 'fake-scalingo', n: this.issuedJwts.size })}.fake-signature`;
    this.issuedJwts.set(jwt, exp * 1000);
    return { status: 200, body: { token: jwt } };
  }

  private createDatabase(request: FakeRequest): FakeResponse {
    const { name, plan_id: planId, addon_provider_id: provider, project_id: projectId } = request.body as Record<string, string | undefined>;
    if (provider !== 'postgresql') return unprocessable('addon_provider_id', 'is not supported');
    if (!name || !/^[a-z][a-z0-9-]{2,47}$/.test(name)) return unprocessable('name', 'is invalid');
    const plan = planId ? this.state.plan(planId) : undefined;
    if (!plan) return unprocessable('plan_id', 'not found');
    if (this.state.uniqueNames && this.state.byAppName(name)) return unprocessable('name', 'has already been taken');
    const database = this.state.create({ name, planId: plan.id, ...(projectId ? { projectId } : {}) });
    return { status: 201, body: { database: this.databaseNg(database) } };
  }

  /** Scalingo's pagination: ?page=&per_page=, answered with meta.pagination. */
  private listDatabases(request: FakeRequest): FakeResponse {
    const all = [...this.state.databases.values()].sort((a, b) => a.createdAt - b.createdAt || a.appId.localeCompare(b.appId));
    const perPage = Math.min(Math.max(Number(request.query.get('per_page') ?? 20) || 20, 1), 50);
    const totalPages = Math.max(1, Math.ceil(all.length / perPage));
    const page = Math.min(Math.max(Number(request.query.get('page') ?? 1) || 1, 1), totalPages);
    const slice = all.slice((page - 1) * perPage, page * perPage).map((db) => this.databaseNg(this.state.settle(db)));
    return {
      status: 200,
      body: {
        databases: slice,
        meta: {
          pagination: {
            current_page: page,
            prev_page: page > 1 ? page - 1 : null,
            next_page: page < totalPages ? page + 1 : null,
            total_pages: totalPages,
            total_count: all.length,
          },
        },
      },
    };
  }

  private withApp(request: FakeRequest, then: (db: FakeDatabase) => FakeResponse): FakeResponse {
    const key = request.params[0] ?? '';
    const database = this.state.byAppName(key) ?? (this.state.databases.get(key) && this.state.settle(this.state.databases.get(key)!));
    if (!database) return notFound('app');
    if (request.params[1] && request.params[1] !== database.addonId) return notFound('addon');
    return then(database);
  }

  private withAddon(request: FakeRequest, then: (db: FakeDatabase) => FakeResponse): FakeResponse {
    const database = this.state.byAddonId(request.params[0] ?? '');
    return database ? then(database) : notFound('database');
  }

  private upgrade(database: FakeDatabase, request: FakeRequest): FakeResponse {
    const planId = (request.body.addon as { plan_id?: string } | undefined)?.plan_id;
    const plan = planId ? this.state.plan(planId) : undefined;
    if (!plan) return unprocessable('plan_id', 'not found');
    // Scalingo allows one operation at a time: a plan change while provisioning or changing plan is refused.
    if (database.operation !== '') return unprocessable('addon', `an operation is already running (${database.operation})`);
    this.state.changePlan(database, plan.id);
    return { status: 200, body: { addon: this.addon(database), message: 'Your database is being upgraded' } };
  }

  private addonToken(database: FakeDatabase): FakeResponse {
    const token = `addon-token-${database.addonId}`;
    this.addonTokens.set(database.addonId, token);
    return { status: 200, body: { addon: { token } } };
  }

  private destroy(database: FakeDatabase, request: FakeRequest): FakeResponse {
    if (request.query.get('current_name') !== database.name) return unprocessable('current_name', 'does not match the app name');
    this.state.databases.delete(database.appId);
    return { status: 204 };
  }

  private addRule(database: FakeDatabase, request: FakeRequest): FakeResponse {
    const { type, cidr, label } = request.body as Record<string, string | undefined>;
    if (type !== 'custom_range' || !cidr || !/^([0-9]{1,3}\.){3}[0-9]{1,3}\/[0-9]{1,2}$/.test(cidr)) return unprocessable('cidr', 'is invalid');
    if (database.firewallRules.some((rule) => rule.cidr === cidr)) return unprocessable('cidr', 'already exists');
    return { status: 201, body: { rule: this.state.addRule(database, cidr, label ?? '') } };
  }

  private databaseNg(database: FakeDatabase): Record<string, unknown> {
    return { id: database.appId, name: database.name, project_id: database.projectId, technology: 'postgresql', plan: this.state.plan(database.planId)?.name };
  }

  private addon(database: FakeDatabase): Record<string, unknown> {
    const plan = this.state.plan(database.planId);
    return {
      id: database.addonId,
      app_id: database.appId,
      resource_id: database.name.replace(/-/g, '_'),
      status: database.operation === 'creating' ? 'provisioning' : 'running',
      plan: { id: plan?.id, name: plan?.name },
      addon_provider: { id: 'postgresql', name: 'PostgreSQL' },
    };
  }

  private dbApiDatabase(database: FakeDatabase): Record<string, unknown> {
    return {
      id: database.addonId,
      app_name: database.name,
      plan: this.state.plan(database.planId)?.name,
      status: database.operation === '' ? 'running' : database.operation,
      type_name: 'postgresql',
      readable_version: `${database.version}.2.0`,
      hostname: this.state.hostname(database),
      instances: [{ id: `i-${database.addonId}`, hostname: this.state.hostname(database), port: this.state.databasePort, status: 'running', type: 'db-node' }],
    };
  }
}
