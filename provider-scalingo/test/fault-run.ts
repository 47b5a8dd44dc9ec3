/** Prints the fault run's figures: node dist/test/fault-run.js [databases] [seed]. */
import { DEFAULT_FAULT_RUN, runFaults } from './support/fault-run.js';

const databases = Number(process.argv[2] ?? DEFAULT_FAULT_RUN.databases);
const seed = Number(process.argv[3] ?? DEFAULT_FAULT_RUN.seed);
const figures = await runFaults({ ...DEFAULT_FAULT_RUN, databases, seed });
console.log(JSON.stringify({ databases, seed, ...figures }, null, 2));
process.exitCode = figures.duplicates === 0 && figures.converged ? 0 : 1;
