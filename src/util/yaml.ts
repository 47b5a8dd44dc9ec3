import { stringify } from 'yaml';

/** YAML as every generated and rendered file in this repo spells it: no line folding, so diffs stay readable. */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}
