#!/usr/bin/env node
// Generates the peers' Composition step inputs, so that function-patch-and-transform and function-go-templating
// compose the same objects as function-postgresql for the benchmark's claims:
//   bench/peers/pat-<claim>.yaml     pt.fn.crossplane.io/v1beta1 Resources: one entry per composed object, its base
//                                    the object function-postgresql composes for this claim, and patches from the XR
//                                    for every string that derives from the claim's name, namespace or the XR's name
//                                    (string fmt / CombineFromComposite) and for the claim's main parameters
//   bench/peers/gotmpl-<claim>.yaml  gotemplating.fn.crossplane.io/v1beta1 GoTemplate (Inline): the same objects as
//                                    a template with the same values taken from the XR
// What the peers can't do is left as fixed values taken from the render: the generated password (the superuser
// and connection Secrets' data), the backup bucket's hash suffix, the backup schedule picked from a hash, and every
// derived value (plan sizes, max_connections, grants, alert rules, dashboard). Run after `npm run build`.
// Usage: node bench/peers/generate.mjs [claim ...]    (default: minimal full)
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const { steady } = await import(join(repo, 'bench/requests.mjs'));
const { toYaml } = await import(join(repo, 'dist/util/yaml.js'));

const NAME = 'metadata.labels[crossplane.io/claim-name]';
const NAMESPACE = 'metadata.labels[crossplane.io/claim-namespace]';
const XR = 'metadata.name';

/** The claim's main parameters and where they land (same in both peers; absent in the XR: the base keeps the default). */
const MAIN_FIELDS = [
  { kind: 'SGCluster', to: 'spec.instances', from: ['instances'] },
  { kind: 'SGCluster', to: 'spec.postgres.version', from: ['version'], string: true },
  { kind: 'SGCluster', to: 'spec.pods.persistentVolume.size', from: ['size', 'disk'] },
  { kind: 'SGCluster', to: 'spec.pods.persistentVolume.storageClass', from: ['storageClass'] },
  { kind: 'SGCluster', to: 'spec.replication.mode', from: ['replication', 'mode'] },
];

const ident = /^[A-Za-z_][A-Za-z0-9_]*$/;
const seg = (k) => (typeof k === 'number' ? `[${k}]` : ident.test(k) ? `.${k}` : `[${k}]`);
const pathOf = (keys) => keys.map(seg).join('').replace(/^\./, '');

function* leaves(value, keys = []) {
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* leaves(value[i], [...keys, i]);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* leaves(v, [...keys, k]);
  else yield [keys, value];
}

function tokens(composite) {
  const labels = composite.metadata.labels;
  // longest first: the XR's name contains the claim's name
  return [
    { text: composite.metadata.name, path: XR, tmpl: '$xrn' },
    { text: labels['crossplane.io/claim-name'], path: NAME, tmpl: '$n' },
    { text: labels['crossplane.io/claim-namespace'], path: NAMESPACE, tmpl: '$ns' },
  ];
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function patInput(composite, resources) {
  const toks = tokens(composite);
  const re = new RegExp(toks.map((t) => escapeRe(t.text)).join('|'), 'g');
  const entries = [];
  for (const [key, r] of Object.entries(resources)) {
    const base = r.resource;
    const patches = [];
    for (const [keys, value] of leaves(base)) {
      if (typeof value !== 'string' || keys[0] === 'apiVersion' || keys[0] === 'kind') continue;
      const used = [];
      const fmt = value.replace(/%/g, '%%').replace(re, (m) => {
        const t = toks.find((x) => x.text === m);
        if (!used.includes(t)) used.push(t);
        return `%[${used.indexOf(t) + 1}]s`;
      });
      if (used.length === 0) continue;
      const toFieldPath = pathOf(keys);
      if (used.length === 1) {
        patches.push({
          type: 'FromCompositeFieldPath',
          fromFieldPath: used[0].path,
          toFieldPath,
          transforms: [{ type: 'string', string: { type: 'Format', fmt } }],
        });
      } else {
        patches.push({
          type: 'CombineFromComposite',
          toFieldPath,
          combine: { variables: used.map((t) => ({ fromFieldPath: t.path })), strategy: 'string', string: { fmt } },
        });
      }
    }
    for (const f of MAIN_FIELDS.filter((m) => m.kind === base.kind)) {
      const p = { type: 'FromCompositeFieldPath', fromFieldPath: `spec.parameters.${f.from.join('.')}`, toFieldPath: f.to };
      if (f.string) p.transforms = [{ type: 'convert', convert: { toType: 'string' } }];
      patches.push(p);
    }
    entries.push({ name: key, base, ...(patches.length ? { patches } : {}) });
  }
  return { apiVersion: 'pt.fn.crossplane.io/v1beta1', kind: 'Resources', resources: entries };
}

function gotmplInput(composite, resources) {
  const toks = tokens(composite);
  const re = new RegExp(['\\{\\{', '\\}\\}', ...toks.map((t) => escapeRe(t.text))].join('|'), 'g');
  const lines = [
    '{{- $xr := .observed.composite.resource }}',
    '{{- $p := $xr.spec.parameters }}',
    '{{- $xrn := $xr.metadata.name }}',
    '{{- $n := index $xr.metadata.labels "crossplane.io/claim-name" }}',
    '{{- $ns := index $xr.metadata.labels "crossplane.io/claim-namespace" }}',
  ];
  for (const [key, r] of Object.entries(resources)) {
    const object = structuredClone(r.resource);
    object.metadata.annotations = { ...(object.metadata.annotations ?? {}), 'gotemplating.fn.crossplane.io/composition-resource-name': key };
    const actions = [];
    for (const [i, f] of MAIN_FIELDS.filter((m) => m.kind === object.kind).entries()) {
      const keys = f.to.split('.');
      let at = object;
      for (const k of keys.slice(0, -1)) at = at?.[k];
      const current = at?.[keys.at(-1)];
      if (current === undefined) continue; // not composed for this claim
      const placeholder = `@@MAIN${i}@@`;
      at[keys.at(-1)] = placeholder;
      const dig = `dig ${f.from.map((k) => JSON.stringify(k)).join(' ')} ${JSON.stringify(current)} $p`;
      actions.push([JSON.stringify(placeholder), typeof current === 'string' ? `{{ ${dig} | toString | toJson }}` : `{{ ${dig} | toJson }}`]);
    }
    let text = JSON.stringify(object, null, 1).replace(re, (m) => {
      if (m === '{{') return '{{ "{{" }}';
      if (m === '}}') return '{{ "}}" }}';
      return `{{ ${toks.find((t) => t.text === m).tmpl} }}`;
    });
    for (const [ph, action] of actions) text = text.replace(ph, action);
    lines.push('---', text);
  }
  return {
    apiVersion: 'gotemplating.fn.crossplane.io/v1beta1',
    kind: 'GoTemplate',
    source: 'Inline',
    inline: { template: lines.join('\n') + '\n' },
  };
}

const claims = process.argv.length > 2 ? process.argv.slice(2) : ['minimal', 'full'];
for (const name of claims) {
  const { composite, rsp } = steady(name);
  const header = `# Generated by bench/peers/generate.mjs from examples/${name}.yaml and function-postgresql's steady render.\n`;
  writeFileSync(join(here, `pat-${name}.yaml`), header + toYaml(patInput(composite, rsp.desired.resources)));
  writeFileSync(join(here, `gotmpl-${name}.yaml`), header + toYaml(gotmplInput(composite, rsp.desired.resources)));
  console.error(`bench/peers/{pat,gotmpl}-${name}.yaml: ${Object.keys(rsp.desired.resources).length} objects`);
}
