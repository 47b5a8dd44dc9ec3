import { pino, type Logger } from 'pino';

/**
 * JSON logs on stdout. The function never logs resources or connection details; the redaction is a second fence in
 * case an error object ever carries one.
 */
export function newLogger(debug: boolean): Logger {
  return pino({
    level: debug ? 'debug' : 'info',
    base: { fn: 'function-postgresql' },
    redact: {
      paths: ['password', '*.password', 'connectionDetails', '*.connectionDetails', 'data', '*.data', 'uri', '*.uri'],
      censor: '[redacted]',
    },
  });
}
