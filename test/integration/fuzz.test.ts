/**
 * A bounded fuzz run against the server as its own process (test/support/fuzz.ts says what is sent and what each
 * answer must be): 0 crashes, 0 timeouts, every Fatal naming a field with the desired state untouched.
 * FUZZ_REQUESTS sets the count (2,000 here, 100,000 in `npm run fuzz`); FUZZ_SEED replays a run, FUZZ_SEED with
 * FUZZ_CASE one case of it, FUZZ_FIRST_CASE with FUZZ_REQUESTS a stretch of it. FUZZ_SECONDS bounds the run's time
 * (60 s unless set; 0 for none). The seed is printed first, whatever happens next.
 */
import { formatFigures, fuzz } from '../support/fuzz.js';

const count = Number(process.env['FUZZ_REQUESTS'] ?? 2000);
const seed = process.env['FUZZ_SEED'] !== undefined ? Number(process.env['FUZZ_SEED']) : (Date.now() ^ (process.pid << 16)) | 0;
const onlyCase = process.env['FUZZ_CASE'] !== undefined ? Number(process.env['FUZZ_CASE']) : undefined;
const firstCase = Number(process.env['FUZZ_FIRST_CASE'] ?? 0);
// npm test's run stops after 60 s on a slow or busy machine (and says how many it sent); npm run fuzz has no limit
const seconds = Number(process.env['FUZZ_SECONDS'] ?? 60);
const concurrency = Number(process.env['FUZZ_CONCURRENCY'] ?? 4);

describe('fuzzing the gRPC server', () => {
  it(
    `${onlyCase === undefined ? count : 1} random and mutated requests: no crash, no timeout, every Fatal names a field`,
    async () => {
      process.stderr.write(
        `fuzz: seed ${seed}${onlyCase === undefined ? '' : `, case ${onlyCase}`} (replay: FUZZ_SEED=${seed} [FUZZ_CASE=<n>])\n`,
      );
      const figures = await fuzz({
        seed,
        count,
        concurrency,
        ...(onlyCase === undefined ? {} : { onlyCase }),
        firstCase,
        seconds,
        progress: (line) => {
          if (count >= 10_000 || line.startsWith('fuzz: case ')) process.stderr.write(`${line}\n`);
        },
      });
      process.stderr.write(`${formatFigures(figures)}\n  server peak RSS: ${figures.serverPeakRssMiB} MiB\n`);
      expect(figures.problems).toEqual([]);
      expect(figures.crashes).toBe(0);
      expect(figures.timeouts).toBe(0);
      if (onlyCase !== undefined || seconds === 0) expect(figures.requests).toBe(onlyCase === undefined ? count : 1);
      else expect(figures.requests).toBeGreaterThanOrEqual(Math.min(count, 100));
    },
    seconds > 0 ? seconds * 1000 + 60_000 : 60_000 + count * 1000,
  );
});
