/**
 * postgresql.conf settings a claim may not set on any engine, because the operator owns them and a different value
 * would break replication, backups, TLS, networking or durability. Kept as data so the XRD's CEL rule, the function's
 * check and the README all read the same list. Each engine adds the ones only it manages (`blockedSettings`).
 */
export interface BlockedSetting {
  readonly name: string;
  /** When true, every setting that starts with `name` is blocked (e.g. `ssl_`). */
  readonly prefix?: boolean;
  readonly reason: string;
}

const network = 'the operator wires listening and sockets';
const files = 'the operator owns the data directory and config files';
const tls = 'TLS is managed by the operator (on by default)';
const backup = 'backups and WAL archiving are managed by the backup configuration';
const ha = 'replication and failover are managed by the operator';
const durability = 'turning it off can lose committed data';
const libraries = 'libraries are loaded by the operator for the extensions it installs';
const logs = 'log collection is managed by the operator';

export const BLOCKED_SETTINGS: readonly BlockedSetting[] = [
  { name: 'listen_addresses', reason: network },
  { name: 'port', reason: network },
  { name: 'unix_socket_', prefix: true, reason: network },
  { name: 'data_directory', reason: files },
  { name: 'config_file', reason: files },
  { name: 'hba_file', reason: files },
  { name: 'ident_file', reason: files },
  { name: 'external_pid_file', reason: files },
  { name: 'ssl', reason: tls },
  { name: 'ssl_', prefix: true, reason: tls },
  { name: 'archive_', prefix: true, reason: backup },
  { name: 'restore_command', reason: backup },
  { name: 'recovery_', prefix: true, reason: backup },
  { name: 'wal_level', reason: ha },
  { name: 'hot_standby', reason: ha },
  { name: 'max_wal_senders', reason: ha },
  { name: 'max_replication_slots', reason: ha },
  { name: 'primary_', prefix: true, reason: ha },
  { name: 'synchronous_standby_names', reason: ha },
  { name: 'cluster_name', reason: ha },
  { name: 'wal_log_hints', reason: ha },
  { name: 'fsync', reason: durability },
  { name: 'full_page_writes', reason: durability },
  { name: 'shared_preload_libraries', reason: libraries },
  { name: 'local_preload_libraries', reason: libraries },
  { name: 'session_preload_libraries', reason: libraries },
  { name: 'dynamic_library_path', reason: libraries },
  { name: 'logging_collector', reason: logs },
  { name: 'log_destination', reason: logs },
  { name: 'log_directory', reason: logs },
  { name: 'log_filename', reason: logs },
];

export function blockedSetting(name: string, list: readonly BlockedSetting[] = BLOCKED_SETTINGS): BlockedSetting | undefined {
  return list.find((b) => (b.prefix ? name.startsWith(b.name) : name === b.name));
}

/** The same rule as a CEL expression over the settings map, for the XRD. */
export function blockedSettingsCel(): string {
  const exact = BLOCKED_SETTINGS.filter((b) => !b.prefix).map((b) => `'${b.name}'`);
  const prefixes = BLOCKED_SETTINGS.filter((b) => b.prefix).map((b) => `k.startsWith('${b.name}')`);
  return `self.all(k, !(k in [${exact.join(', ')}]) && !(${prefixes.join(' || ')}))`;
}
