#!/usr/bin/env node
// Summarises a V8 .cpuprofile: top functions by self time, and self time grouped by package / source area.
// Usage: node bench/cpuprofile-top.mjs FILE.cpuprofile [TOP]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 25);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = prof.timeDeltas;
for (let i = 0; i < prof.samples.length; i++) self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + (dt[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fn = new Map();
const area = new Map();
const areaOf = (url) => {
  if (!url) return '(native/V8)';
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return m[1];
  if (url.includes('/dist/')) return 'function-postgresql ' + url.replace(/.*\/dist\//, 'dist/').replace(/\/[^/]*$/, '/');
  if (url.startsWith('node:')) return 'node core';
  return url;
};
for (const [id, us] of self) {
  const n = byId.get(id);
  const cf = n.callFrame;
  const key = `${cf.functionName || '(anonymous)'}  ${cf.url ? cf.url.replace(/.*\/(node_modules|dist)\//, '$1/') : ''}${cf.url ? ':' + (cf.lineNumber + 1) : ''}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  const a = areaOf(cf.url);
  area.set(a, (area.get(a) ?? 0) + us);
}
const pct = (us) => ((100 * us) / total).toFixed(1).padStart(5) + ' %';
console.log(`total sampled ${(total / 1e6).toFixed(2)} s`);
console.log('\nself time by area:');
for (const [k, v] of [...area].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${pct(v)}  ${k}`);
console.log(`\ntop ${top} functions by self time:`);
for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
