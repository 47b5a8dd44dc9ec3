#!/usr/bin/env node
// Prints the benchmark table (markdown) from bench/run.sh's results dir, and the ratios ours/peer.
// Usage: node bench/report.mjs OUT_DIR N1 N16
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, n1, n16] = process.argv.slice(2);
const rows = readFileSync(join(dir, 'metrics.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
const ms = (ns) => (ns / 1e6).toFixed(2);
const pct = (r, p) => r.latencyDistribution?.find((d) => d.percentage === p)?.latency ?? NaN;
const figures = {};
const out = [];
out.push('| server | claim | c=1 p50 / p95 / p99 ms | c=1 calls/s | c=16 p50 / p95 / p99 ms | c=16 calls/s | CPU s / 10k calls | peak RSS MB | first answer ms | errors | output vs ours |');
out.push('|---|---|---|---|---|---|---|---|---|---|---|');
for (const [server, claim, startup, tc1, tc16, hz, hwm, equivalent] of rows) {
  const c1 = JSON.parse(readFileSync(join(dir, `${server}-${claim}.c1.json`), 'utf8'));
  const c16 = JSON.parse(readFileSync(join(dir, `${server}-${claim}.c16.json`), 'utf8'));
  const errors = Object.entries({ ...c1.statusCodeDistribution, ...{} }).filter(([k]) => k !== 'OK').length +
    Object.entries(c16.statusCodeDistribution).filter(([k]) => k !== 'OK').length;
  const cpu = ((Number(tc1) + Number(tc16)) / Number(hz)) / (Number(n1) + Number(n16)) * 10000;
  const f = { p50: pct(c1, 50), p99: pct(c1, 99), rps1: c1.rps, p50_16: pct(c16, 50), p99_16: pct(c16, 99), rps16: c16.rps, cpu, rss: Number(hwm) / 1024, startup: Number(startup) };
  (figures[claim] ??= {})[server] = f;
  out.push(`| ${server} | ${claim} | ${ms(pct(c1, 50))} / ${ms(pct(c1, 95))} / ${ms(pct(c1, 99))} | ${c1.rps.toFixed(0)} | ` +
    `${ms(pct(c16, 50))} / ${ms(pct(c16, 95))} / ${ms(pct(c16, 99))} | ${c16.rps.toFixed(0)} | ${cpu.toFixed(2)} | ${f.rss.toFixed(0)} | ${startup} | ${errors ? 'YES' : 0} | ${equivalent} |`);
}
out.push('');
out.push('Ratios ours / peer (latency and CPU: < 1 is better for ours; calls/s: > 1 is better for ours):');
out.push('');
out.push('| claim | peer | p50 c=1 | p99 c=1 | calls/s c=16 | CPU / call | peak RSS | first answer |');
out.push('|---|---|---|---|---|---|---|---|');
const r = (a, b) => (b ? (a / b).toFixed(2) : 'n/a');
for (const [claim, byServer] of Object.entries(figures)) {
  const o = byServer.ours;
  if (!o) continue;
  for (const [peer, p] of Object.entries(byServer)) {
    if (peer === 'ours') continue;
    out.push(`| ${claim} | ${peer} | ${r(o.p50, p.p50)} | ${r(o.p99, p.p99)} | ${r(o.rps16, p.rps16)} | ${r(o.cpu, p.cpu)} | ${r(o.rss, p.rss)} | ${r(o.startup, p.startup)} |`);
  }
}
console.log(out.join('\n'));
