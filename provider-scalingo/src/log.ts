/** JSON logs (pino). Secrets never reach them: tokens, passwords and connection URLs are redacted by path. */
import { pino, type Logger } from 'pino';

export const REDACTED_PATHS = ['token', 'apiToken', 'password', 'url', '*.token', '*.apiToken', '*.password', '*.url', 'data', '*.data', 'authorization', '*.authorization'];

export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  const options = { level, base: { component: 'provider-scalingo' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
