/** What the reconciler needs from Scalingo, so it can be tested against the fake or any double. */
export interface RemoteDatabase {
  /** The database app's id (the external name). */
  id: string;
  name: string;
  projectId: string;
  plan: string;
  addonId: string;
  /** The database API's status: creating, running, updating, migrating, upgrading, stopped. */
  status: string;
  /** PostgreSQL major, e.g. "17". */
  version: string;
  host: string;
  port: number;
  /** The PostgreSQL database's name (the addon's resource_id). */
  database: string;
}

export interface RemoteFirewallRule {
  id: string;
  cidr: string;
  label: string;
}

export interface CreateDatabase {
  name: string;
  plan: string;
  projectId?: string;
}

export interface ScalingoApi {
  /** By id or by name; undefined when there is none. */
  findDatabase(idOrName: string): Promise<RemoteDatabase | undefined>;
  createDatabase(input: CreateDatabase): Promise<{ id: string }>;
  changePlan(database: RemoteDatabase, plan: string): Promise<void>;
  firewallRules(database: RemoteDatabase): Promise<RemoteFirewallRule[]>;
  addFirewallRule(database: RemoteDatabase, rule: { cidr: string; label?: string }): Promise<void>;
  deleteFirewallRule(database: RemoteDatabase, ruleId: string): Promise<void>;
  connectionUrl(database: RemoteDatabase): Promise<string>;
  deleteDatabase(database: RemoteDatabase): Promise<void>;
}
