import { pino, type Logger } from 'pino';

/**
 * JSON logs on stdout. The function never logs resources or connection details; the redaction is a second fence in
 * case an error object ever carries one.
 */
export function newLogger(debug: boolean): Logger {
  return pino(
    {
      level: debug ? 'debug' : 'info',
      base: { fn: 'function-postgresql' },
      redact: {
        paths: ['password', '*.password', 'connectionDetails', '*.connectionDetails', 'data', '*.data', 'uri', '*.uri'],
        censor: '[redacted]',
      },
    },
    // Synchronous writes: pino's default asynchronous stdout flushes at exit in a loop that retries a broken pipe
    // forever (sonic-boom 4.2), so a function whose log reader had gone never exited on SIGTERM. One write per line
    // is cheap at these volumes (the server logs refusals, and every call only with --debug).
    pino.destination({ fd: 1, sync: true }),
  );
}
