#!/usr/bin/env node
// Compares the desired composed resources of two RunFunction responses (JSON, as bench/client.mjs prints them):
// the same composition keys, and per object the same apiVersion, kind, name and namespace; then every other
// field (annotations aside), listing the paths that differ. Exit 1 if the sets or identities differ.
// Usage: node bench/compare.mjs OURS.json PEER.json [LABEL]
import { readFileSync } from 'node:fs';

const [a, b, label = 'peer'] = process.argv.slice(2);
const load = (f) => JSON.parse(readFileSync(f, 'utf8')).desired?.resources ?? {};
const ours = load(a);
const peer = load(b);
let bad = 0;
const keys = new Set([...Object.keys(ours), ...Object.keys(peer)]);
const diffs = [];
function walk(x, y, path) {
  if (JSON.stringify(x) === JSON.stringify(y)) return;
  if (x && y && typeof x === 'object' && typeof y === 'object' && Array.isArray(x) === Array.isArray(y)) {
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) walk(x[k], y[k], `${path}.${k}`);
  } else diffs.push(path);
}
for (const key of [...keys].sort()) {
  const o = ours[key]?.resource;
  const p = peer[key]?.resource;
  if (!o || !p) { console.log(`${label}: ${key} only in ${o ? 'ours' : label}`); bad++; continue; }
  for (const f of ['apiVersion', 'kind']) if (o[f] !== p[f]) { console.log(`${label}: ${key}.${f} ${o[f]} != ${p[f]}`); bad++; }
  for (const f of ['name', 'namespace']) if (o.metadata?.[f] !== p.metadata?.[f]) { console.log(`${label}: ${key}.metadata.${f} ${o.metadata?.[f]} != ${p.metadata?.[f]}`); bad++; }
  const strip = (r) => ({ ...r, metadata: { ...r.metadata, annotations: undefined } });
  walk(strip(o), strip(p), key);
}
console.log(`${label}: ${keys.size} keys, ${bad} identity differences, ${diffs.length} other differing fields${diffs.length ? ': ' + diffs.slice(0, 12).join(', ') : ''}`);
process.exit(bad ? 1 : 0);
