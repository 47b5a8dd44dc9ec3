#!/usr/bin/env node
/** Entry point: flags, then the server; a problem at start-up ends the process with a non-zero code and a reason. */
import { newLogger } from './log.js';
import { HELP, parseOptions, UsageError } from './options.js';
import { startServer, StartupError } from './server.js';

async function main(): Promise<void> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`function-postgresql: ${error.message}\n\n${HELP}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const logger = newLogger(options.debug);
  try {
    const running = await startServer(options, logger);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'draining in-flight calls');
      void running.shutdown().then(() => {
        logger.info('stopped');
        process.exit(0);
      });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    // only now: whoever waits for this line may stop the server at once
    logger.info({ address: options.address, port: running.port, tls: !options.insecure }, 'listening');
  } catch (error) {
    if (error instanceof StartupError) {
      logger.fatal(error.message);
      process.stderr.write(`function-postgresql: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

void main();
