/**
 * Prints the fault run's figures, then the same run without faults (a reconcile's CPU cost when nothing goes wrong):
 * node dist/test/fault-run.js [databases] [seed]. Exit code 1 on any duplicate or if the run did not converge.
 */
import { NO_FAULTS } from '../fake/faults.js';
import { DEFAULT_FAULT_RUN, runFaults } from './support/fault-run.js';

const databases = Number(process.argv[2] ?? DEFAULT_FAULT_RUN.databases);
const seed = Number(process.argv[3] ?? DEFAULT_FAULT_RUN.seed);
const faulty = await runFaults({ ...DEFAULT_FAULT_RUN, databases, seed });
console.log(JSON.stringify({ run: 'faults', databases, seed, ...faulty }, null, 2));
const clean = await runFaults({ ...DEFAULT_FAULT_RUN, databases, seed, crashRate: 0, rates: NO_FAULTS });
console.log(JSON.stringify({ run: 'no faults', databases, seed, ...clean }, null, 2));
process.exitCode = faulty.duplicates === 0 && faulty.converged && clean.duplicates === 0 && clean.converged ? 0 : 1;
