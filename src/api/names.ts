/** Names the claim API accepts for things inside PostgreSQL and Kubernetes. */

/** A PostgreSQL identifier we never need to quote: lower case, digits, underscores; 63 bytes at most. */
export const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Role names PostgreSQL or the operator reserve. */
export const RESERVED_ROLES = ['postgres', 'authenticator', 'replicator', 'public', 'pg_monitor', 'none'] as const;
export const RESERVED_ROLE_PREFIX = 'pg_';

/**
 * Least privilege by default: an instance's application logs in as role `app`, owner of database `app`, unless the
 * claim lists databases (then the owner of the first) or names a user for its connection Secret.
 */
export const APP_DATABASE = 'app';
export const APP_ROLE = 'app';

/** Databases that always exist and that a claim must not create or drop. */
export const RESERVED_DATABASES = ['postgres', 'template0', 'template1'] as const;

/** RFC 1123 label, as for a namespace name. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** RFC 1123 subdomain, as for most object names. */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The upper-case prefix of twelve-factor connection keys, e.g. `PG` gives `PG_HOST`. */
export const KEY_PREFIX = /^[A-Z][A-Z0-9_]{0,30}$/;

/** A postgresql.conf parameter name (extensions add dotted ones, e.g. `pg_stat_statements.max`). */
export const SETTING_NAME = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

/** An extension name as in `CREATE EXTENSION`. */
export const EXTENSION_NAME = /^[a-z_][a-z0-9_-]{0,62}$/;

/** Five cron fields (minute hour day-of-month month day-of-week); the function checks the ranges. */
export const CRON_SCHEDULE = /^\S+ \S+ \S+ \S+ \S+$/;
