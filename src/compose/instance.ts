/** Everything one claim composes, engine first, then what every engine shares: credentials, secrets, network, status. */
import type { FieldError } from '../api/errors.js';
import { backupResources, backupTarget } from './backup.js';
import { cloudOnlyErrors } from './cloud-only.js';
import { finalBackupUsages, gateArmed, gateRequirement, wantsFinalBackup } from './final-backup.js';
import { connectionSecretKey, isConnectionSecretKey, refusedTransitions } from './changes.js';
import { awsSeedValues, connectionValues, prefixedKey, secretObject } from './connection.js';
import { SUPERUSER, SUPERUSER_SECRET_KEY, superuserPassword } from './credentials.js';
import { blockedSetting } from '../api/blocked-settings.js';
import { chooseEngine } from '../engines/choose.js';
import type { DatabaseEngine } from '../engines/engine.js';
import { deletionProtectionLabels, volumeLabels } from './labels.js';
import { autogrownDisk, resolveSize } from './size.js';
import { monitoringResources } from './monitoring.js';
import { NETWORK_POLICY_KEY, networkPolicy } from './network.js';
import { objectName } from './names.js';
import { observedExists } from './readiness.js';
import { instanceStatus, maintenanceCondition, readyCondition } from './status.js';
import { homeDatabase, userGrantErrors, userPasswords, userRequirements, userResources } from './users.js';
import { connectionUser, withAppLogin } from './app-login.js';
import type { ComposeContext, Composition, ComposedSet } from './types.js';

export function composeInstance(claimCtx: ComposeContext): Composition {
  const choice = chooseEngine(claimCtx.instance.parameters, claimCtx.platform, claimCtx.observed);
  if (!choice.ok) return { ok: false, errors: [choice.error] };
  const { engine } = choice;
  // From here on the instance names its engine, and names leave room for that engine's suffixes; the claim's users
  // and databases gain the application's own database and role where it lists none (app-login.ts).
  const instance = {
    ...claimCtx.instance,
    parameters: withAppLogin({ ...claimCtx.instance.parameters, engine: choice.name }),
    baseNameLimit: engine.maxBaseName,
  };
  const ctx: ComposeContext = { ...claimCtx, instance };
  const p = instance.parameters;

  const requirements = {
    ...engine.requirements(ctx),
    ...userRequirements(ctx),
    ...(p.backup.finalBackupOnDelete === true && engine.finalBackup ? gateRequirement(ctx) : {}),
  };
  const superuserSecret = objectName(instance, 'superuser');
  const connectionSecret = p.connectionSecret.name ?? objectName(instance, 'connection');
  // A new name is a new key: Crossplane creates the Secret under its new name and deletes the old one.
  const connectionKey = connectionSecretKey(ctx, connectionSecret);
  const errors: FieldError[] = [
    ...userGrantErrors(p),
    ...engineSettingErrors(ctx, engine),
    ...cloudOnlyErrors(p, engine),
    ...engine.refusedChanges(ctx),
    ...refusedTransitions(ctx),
  ];
  const prefix = p.connectionSecret.keyPrefix;
  // A service that makes its administrator itself (engine.adminSecret) has no password of ours to keep.
  const serviceAdminSecret = engine.adminSecret?.(ctx);
  const password =
    serviceAdminSecret === undefined
      ? superuserPassword(ctx, engine.databaseKey, prefix ? prefixedKey(prefix, 'password') : 'password')
      : ({ ok: true, password: '', generated: false } as const);
  if (!password.ok) errors.push(password.error);
  const appUser = connectionUser(p);
  if (!appUser) {
    errors.push({ path: 'spec.parameters.connectionSecret.user', message: `"${p.connectionSecret.user}" is not listed in spec.parameters.users` });
    return { ok: false, errors };
  }
  const passwords = new Map<string, string>();
  for (const [user, outcome] of userPasswords(ctx, appUser.name)) {
    if (outcome.ok) passwords.set(user, outcome.password);
    else errors.push(outcome.error);
  }
  const backup = p.backup.enabled ? backupTarget(ctx) : undefined;
  if (backup?.storage === 'minio' && instance.namespaced) {
    // Crossplane 2 refuses cluster-scoped objects composed by a namespaced XR, and provider-minio's are.
    errors.push({
      path: 'spec.parameters.backup.enabled',
      message:
        "this platform keeps backups in MinIO buckets, made through provider-minio's cluster-scoped objects, which a namespaced PostgreSQL cannot compose: set it to false or use a PostgreSQLInstance claim",
    });
  }
  if (errors.length > 0 || !password.ok) return { ok: false, errors };

  const endpoint = engine.endpoint(ctx);
  // Applications go through the pooler when there is one; provider-sql (the superuser Secret) always to the primary.
  const clientEndpoint = engine.poolerEndpoint(ctx) ?? endpoint;
  // The application's login: a role that owns its database, never the superuser (README, "Least privilege").
  const first = p.databases[0]!.name;
  const login = {
    database: appUser.grants.some((g) => g.database === first) ? first : homeDatabase(p, appUser),
    username: appUser.name,
    password: passwords.get(appUser.name)!,
  };
  const connection = {
    ...connectionValues(clientEndpoint, login, prefix),
    ...(ctx.platform.awsSeedKeys ? awsSeedValues(clientEndpoint, login) : {}),
  };
  // The superuser Secret is what the engine bootstraps from, and has the keys provider-sql's ProviderConfig reads.
  const superuser = {
    username: engine.superuser ?? SUPERUSER,
    password: password.password,
    endpoint: endpoint.host,
    port: String(endpoint.port),
  };

  // What holds data (the database object and, through it, its volumes) carries the deletion-protection label.
  const protection = deletionProtectionLabels(instance);
  // Read once: the database object's readiness, the status and the users' gate all follow this one answer.
  const observation = engine.observe(ctx);
  const engineInputs = { superuserSecretName: superuserSecret, superuserPassword: password.password, volumeLabels: volumeLabels(instance), ...(backup ? { backup } : {}) };
  const engineResources = withLabels(engine.compose(ctx, engineInputs, observation), engine.databaseKey, protection);
  const superuserObject = secretObject(instance, superuserSecret, superuser);
  const ownSuperuser = serviceAdminSecret === undefined;
  const database = withheldUntilInputsExist(ctx, engineResources, engine.databaseKey, ownSuperuser ? [SUPERUSER_SECRET_KEY] : []);
  const inCluster = engine.hosting !== 'cloud';
  const resources: ComposedSet = {
    ...engineResources,
    ...(ownSuperuser ? { [SUPERUSER_SECRET_KEY]: { object: superuserObject, ready: observedExists(ctx, SUPERUSER_SECRET_KEY) } } : {}),
    [connectionKey]: {
      object: secretObject(instance, connectionSecret, connection),
      ready: observedExists(ctx, connectionKey),
    },
    // A cloud database has no pods to select, scrape or give a bucket to: its engine composes the equivalents.
    ...(inCluster ? { [NETWORK_POLICY_KEY]: { object: networkPolicy(ctx, engine), ready: observedExists(ctx, NETWORK_POLICY_KEY) } } : {}),
    ...(backup && inCluster ? backupResources(ctx, backup) : {}),
    ...finalBackupUsages(ctx, engine, engineInputs, engineResources),
    ...(inCluster ? monitoringResources(ctx, engine) : {}),
    ...userResources(ctx, {
      endpoint: clientEndpoint,
      passwords,
      databaseUp: observation.instancesReady > 0,
      adminSecret: ownSuperuser
        ? { name: superuserSecret, composed: { key: SUPERUSER_SECRET_KEY, object: superuserObject } }
        : { name: serviceAdminSecret },
      platformDatabaseLogins: engine.platformDatabaseLogins,
      ...(database ? { database: { key: engine.databaseKey, object: database.object } } : {}),
    }),
  };
  const clash = nameClash(resources);
  if (clash) return { ok: false, errors: [clash] };
  return {
    ok: true,
    resources,
    status: instanceStatus(
      instance,
      clientEndpoint,
      observation,
      connectionSecret,
      engine.servicePicksBackupTime ? undefined : backup?.schedule,
      resolveSize(p, engine.autogrowsVolumes ? autogrownDisk(ctx.observed.composite) : undefined).disk,
      wantsFinalBackup(ctx, engine, engineInputs) ? gateArmed(ctx) ?? false : undefined,
    ),
    conditions: [readyCondition(observation, resources), maintenanceCondition(observation)],
    connectionDetails: connection,
    warnings: [],
    requirements,
  };
}

/**
 * The database object reads its superuser Secret, profile, config and storage when it is created. Composed in the
 * same call as them, it can land while one of them doesn't (Crossplane stops at the first failed apply): a cluster
 * whose Secret was never written would have no password anyone knows, and every later call would be refused. So it
 * is composed only once everything else the engine composes, and `inputs`, are observed; once it exists it is always
 * composed. Removes it from `engineResources` while it waits and returns what remains of it.
 */
function withheldUntilInputsExist(
  ctx: ComposeContext,
  engineResources: ComposedSet,
  databaseKey: string,
  inputs: readonly string[],
): ComposedSet[string] | undefined {
  const database = engineResources[databaseKey];
  if (!database || observedExists(ctx, databaseKey)) return database;
  const needed = [...Object.keys(engineResources).filter((key) => key !== databaseKey), ...inputs];
  if (needed.every((key) => observedExists(ctx, key))) return database;
  delete engineResources[databaseKey];
  return undefined;
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
      const path = [key, other].some(isConnectionSecretKey) ? 'spec.parameters.connectionSecret.name' : `spec.parameters`;
      return { path, message: `${object.kind} "${object.metadata.name}" would be composed twice (${other} and ${key}); choose another name` };
    }
    seen.set(id, key);
  }
  return undefined;
}

/** Settings this engine manages itself, beyond those every engine manages (which the XRD refuses already). */
function engineSettingErrors(ctx: ComposeContext, engine: DatabaseEngine): FieldError[] {
  return Object.keys(ctx.instance.parameters.postgresql.settings).flatMap((name) => {
    const blocked = blockedSetting(name, engine.blockedSettings);
    return blocked ? [{ path: `spec.parameters.postgresql.settings.${name}`, message: `can not be set on ${engine.name}: ${blocked.reason}` }] : [];
  });
}
