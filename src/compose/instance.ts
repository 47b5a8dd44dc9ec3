/** Everything one claim composes, engine first, then what every engine shares: credentials, secrets, network, status. */
import type { FieldError } from '../api/errors.js';
import { backupResources, backupTarget } from './backup.js';
import { connectionValues, prefixedKey, secretObject } from './connection.js';
import { CONNECTION_SECRET_KEY, SUPERUSER, SUPERUSER_SECRET_KEY, superuserPassword } from './credentials.js';
import { engineFor } from './engine.js';
import { deletionProtectionLabels } from './labels.js';
import { monitoringResources } from './monitoring.js';
import { NETWORK_POLICY_KEY, networkPolicy } from './network.js';
import { objectName } from './names.js';
import { observedExists } from './readiness.js';
import { instanceStatus, readyCondition } from './status.js';
import { userGrantErrors, userRequirements, userResources } from './users.js';
import type { ComposeContext, Composition, ComposedSet } from './types.js';

export function composeInstance(ctx: ComposeContext): Composition {
  const { instance } = ctx;
  const p = instance.parameters;
  const engine = engineFor(p.engine);
  if (!engine) return { ok: false, errors: [{ path: 'spec.parameters.engine', message: `engine "${p.engine}" is not available` }] };

  const requirements = { ...engine.requirements(ctx), ...userRequirements(ctx) };
  const superuserSecret = objectName(instance, 'superuser');
  const connectionSecret = p.connectionSecret.name ?? objectName(instance, 'connection');
  const errors: FieldError[] = [...userGrantErrors(p), ...engine.refusedChanges(ctx)];
  const prefix = p.connectionSecret.keyPrefix;
  const password = superuserPassword(ctx, engine.databaseKey, prefix ? prefixedKey(prefix, 'password') : 'password');
  if (!password.ok) errors.push(password.error);
  if (errors.length > 0 || !password.ok) return { ok: false, errors };

  const endpoint = engine.endpoint(ctx);
  const login = { database: p.databases[0]?.name ?? 'postgres', username: SUPERUSER, password: password.password };
  const connection = connectionValues(endpoint, login, prefix);
  // The superuser Secret is what StackGres bootstraps from, and has the keys provider-sql's ProviderConfig reads.
  const superuser = {
    username: SUPERUSER,
    password: password.password,
    endpoint: endpoint.host,
    port: String(endpoint.port),
  };

  const backup = p.backup.enabled ? backupTarget(ctx) : undefined;
  // What holds data (the database object and, through it, its volumes) carries the deletion-protection label.
  const protection = deletionProtectionLabels(instance);
  const engineResources = withLabels(
    engine.compose(ctx, { superuserSecretName: superuserSecret, volumeLabels: protection, ...(backup ? { backup } : {}) }),
    engine.databaseKey,
    protection,
  );
  const superuserObject = secretObject(instance, superuserSecret, superuser);
  const database = engineResources[engine.databaseKey];
  const resources: ComposedSet = {
    ...engineResources,
    [SUPERUSER_SECRET_KEY]: { object: superuserObject, ready: observedExists(ctx, SUPERUSER_SECRET_KEY) },
    [CONNECTION_SECRET_KEY]: {
      object: secretObject(instance, connectionSecret, connection),
      ready: observedExists(ctx, CONNECTION_SECRET_KEY),
    },
    [NETWORK_POLICY_KEY]: { object: networkPolicy(ctx, engine), ready: observedExists(ctx, NETWORK_POLICY_KEY) },
    ...(backup ? backupResources(ctx, backup) : {}),
    ...monitoringResources(ctx, engine),
    ...userResources(ctx, {
      endpoint,
      superuserSecret: { key: SUPERUSER_SECRET_KEY, object: superuserObject },
      ...(database ? { database: { key: engine.databaseKey, object: database.object } } : {}),
    }),
  };
  const clash = nameClash(resources);
  if (clash) return { ok: false, errors: [clash] };
  const observation = engine.observe(ctx);
  return {
    ok: true,
    resources,
    status: instanceStatus(instance, endpoint, observation, connectionSecret, backup?.schedule),
    conditions: [readyCondition(observation, resources)],
    connectionDetails: connection,
    warnings: [],
    requirements,
  };
}

function withLabels(resources: ComposedSet, key: string, labels: Record<string, string>): ComposedSet {
  const composed = resources[key];
  if (!composed) return resources;
  const { object } = composed;
  const metadata = { ...object.metadata, labels: { ...object.metadata.labels, ...labels } };
  return { ...resources, [key]: { ...composed, object: { ...object, metadata } } };
}

/** Two composed objects of one kind with one name would fight over it; only the claim's chosen secret name can cause it. */
function nameClash(resources: ComposedSet): FieldError | undefined {
  const seen = new Map<string, string>();
  for (const [key, { object }] of Object.entries(resources)) {
    const id = `${object.kind}/${object.metadata.name}`;
    const other = seen.get(id);
    if (other) {
      const path = [key, other].includes(CONNECTION_SECRET_KEY) ? 'spec.parameters.connectionSecret.name' : `spec.parameters`;
      return { path, message: `${object.kind} "${object.metadata.name}" would be composed twice (${other} and ${key}); choose another name` };
    }
    seen.set(id, key);
  }
  return undefined;
}
