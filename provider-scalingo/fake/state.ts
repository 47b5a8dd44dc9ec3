/**
 * Contract test double of Scalingo's API: the state behind the fake server. Shapes follow go-scalingo's types
 * (DatabaseNG, Addon, Database, FirewallRule, Variable) as the public API returns them; nothing here talks to Scalingo.
 *
 * Slow on purpose: a new database is "creating" for `provisionMs` and a plan change keeps it "updating" for
 * `planChangeMs` (minutes on Scalingo; tests pass a clock they advance, which compresses time by any factor).
 */
export interface FakeClock {
  now(): number;
}

export interface FakeTimings {
  provisionMs: number;
  planChangeMs: number;
}

export const SCALINGO_TIMINGS: FakeTimings = { provisionMs: 5 * 60_000, planChangeMs: 20 * 60_000 };

export interface FakePlan {
  id: string;
  name: string;
}

export const FAKE_PLANS: FakePlan[] = [
  'postgresql-dr-starter-1024',
  'postgresql-dr-starter-2048',
  'postgresql-dr-starter-4096',
  'postgresql-dr-business-4096',
  'postgresql-dr-business-8192',
].map((name, index) => ({ id: `plan-${index + 1}`, name }));

export interface FakeFirewallRule {
  id: string;
  type: 'custom_range' | 'managed_range';
  cidr: string;
  label: string;
  range_id: string;
  database_id: string;
}

export interface FakeDatabase {
  appId: string;
  addonId: string;
  name: string;
  projectId: string;
  planId: string;
  version: string;
  password: string;
  createdAt: number;
  /** When the running operation (provisioning or plan change) ends; 0 when none. */
  busyUntil: number;
  operation: 'creating' | 'updating' | '';
  firewallRules: FakeFirewallRule[];
}

export class FakeScalingoState {
  readonly databases = new Map<string, FakeDatabase>();
  /** Every create that succeeded, even of databases deleted since: the fault run counts duplicates from this. */
  readonly createdNames: string[] = [];
  /** Scalingo refuses a taken app name; the fault run turns this off to prove the provider alone avoids duplicates. */
  uniqueNames = true;
  readonly defaultProjectId = 'prj-default';
  readonly defaultVersion = '17';
  /** The port every database listens on (Scalingo's are high ports); the e2e harness points it at its PostgreSQL. */
  databasePort = 30123;
  private sequence = 0;

  constructor(
    readonly clock: FakeClock,
    readonly timings: FakeTimings = SCALINGO_TIMINGS,
  ) {}

  private nextId(prefix: string): string {
    this.sequence += 1;
    return `${prefix}-${this.sequence.toString(16).padStart(8, '0')}`;
  }

  planList(): Record<string, unknown>[] {
    return FAKE_PLANS.map((plan) => ({ id: plan.id, name: plan.name, display_name: plan.name, price: 0 }));
  }

  plan(idOrName: string): FakePlan | undefined {
    return FAKE_PLANS.find((plan) => plan.id === idOrName || plan.name === idOrName);
  }

  /** Settles finished operations; called before every read so time passing is visible. */
  settle(database: FakeDatabase): FakeDatabase {
    if (database.busyUntil !== 0 && this.clock.now() >= database.busyUntil) {
      database.busyUntil = 0;
      database.operation = '';
    }
    return database;
  }

  create(input: { name: string; planId: string; projectId?: string }): FakeDatabase {
    const database: FakeDatabase = {
      appId: this.nextId('app'),
      addonId: this.nextId('ad'),
      name: input.name,
      projectId: input.projectId ?? this.defaultProjectId,
      planId: input.planId,
      version: this.defaultVersion,
      password: this.nextId('pw'),
      createdAt: this.clock.now(),
      busyUntil: this.clock.now() + this.timings.provisionMs,
      operation: 'creating',
      firewallRules: [],
    };
    this.databases.set(database.appId, database);
    this.createdNames.push(input.name);
    return database;
  }

  byAppName(name: string): FakeDatabase | undefined {
    for (const database of this.databases.values()) if (database.name === name) return this.settle(database);
    return undefined;
  }

  byAddonId(addonId: string): FakeDatabase | undefined {
    for (const database of this.databases.values()) if (database.addonId === addonId) return this.settle(database);
    return undefined;
  }

  changePlan(database: FakeDatabase, planId: string): void {
    database.planId = planId;
    database.busyUntil = this.clock.now() + this.timings.planChangeMs;
    database.operation = 'updating';
  }

  addRule(database: FakeDatabase, cidr: string, label: string): FakeFirewallRule {
    const rule: FakeFirewallRule = { id: this.nextId('fw'), type: 'custom_range', cidr, label, range_id: '', database_id: database.addonId };
    database.firewallRules.push(rule);
    return rule;
  }

  hostname(database: FakeDatabase): string {
    return `${database.name}.postgresql.a.osc-fr1.scalingo-dbs.com`;
  }

  url(database: FakeDatabase): string {
    const user = database.name.replace(/-/g, '_');
    return `postgres://${user}:${database.password}@${this.hostname(database)}:${this.databasePort}/${user}?sslmode=prefer`;
  }
}
