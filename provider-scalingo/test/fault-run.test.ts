/** ≥ 1,000 injected faults, zero duplicate databases; and the control run that shows the check can fail. */
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_FAULT_RUN, runFaults } from './support/fault-run.js';

describe('fault run', () => {
  it('≥ 1,000 faults (429, 5xx, timeouts, lost responses, crashes) and no duplicate database', async () => {
    const figures = await runFaults(DEFAULT_FAULT_RUN);
    console.log(`fault run: ${JSON.stringify(figures)}`);
    expect(figures.faultsInjected).toBeGreaterThanOrEqual(1000);
    expect(figures.faultsByKind.crash).toBeGreaterThan(0);
    expect(figures.faultsByKind.lostResponse).toBeGreaterThan(0);
    expect(figures.duplicates).toBe(0);
    expect(figures.databasesCreated).toBe(DEFAULT_FAULT_RUN.databases);
    expect(figures.converged).toBe(true);
  }, 120_000);

  it('control: a store that loses the pending annotation makes duplicates under the same faults', async () => {
    const figures = await runFaults({ ...DEFAULT_FAULT_RUN, databases: 20, forgetPending: true, maxRounds: 30 });
    console.log(`control run: ${JSON.stringify(figures)}`);
    expect(figures.duplicates).toBeGreaterThan(0);
  }, 120_000);
});
