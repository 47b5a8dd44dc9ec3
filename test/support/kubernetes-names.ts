/**
 * Kubernetes' own rules for names, label keys and values, and annotation keys, as the API server checks them
 * (k8s.io/apimachinery/pkg/util/validation/validation.go, k8s.io/apimachinery/pkg/api/validation/objectmeta.go).
 * Each returns the problems, empty when the API server would accept the text.
 */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

export function dns1123Label(text: string): string[] {
  const out: string[] = [];
  if (text.length > 63) out.push(`"${text}" is longer than 63 characters`);
  if (!DNS1123_LABEL.test(text)) out.push(`"${text}" is not a DNS-1123 label`);
  return out;
}

export function dns1123Subdomain(text: string): string[] {
  const out: string[] = [];
  if (text.length > 253) out.push(`"${text}" is longer than 253 characters`);
  if (!DNS1123_SUBDOMAIN.test(text)) out.push(`"${text}" is not a DNS-1123 subdomain`);
  return out;
}

export function dns1035Label(text: string): string[] {
  const out: string[] = [];
  if (text.length > 63) out.push(`"${text}" is longer than 63 characters`);
  if (!DNS1035_LABEL.test(text)) out.push(`"${text}" is not a DNS-1035 label`);
  return out;
}

/** A label or annotation key: an optional DNS subdomain prefix and `/`, then a name of at most 63 characters. */
export function qualifiedName(text: string): string[] {
  const parts = text.split('/');
  if (parts.length > 2) return [`"${text}" has more than one "/"`];
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]!];
  const out: string[] = [];
  if (prefix !== undefined) out.push(...dns1123Subdomain(prefix).map((p) => `prefix ${p}`));
  if (name!.length === 0 || name!.length > 63) out.push(`name part of "${text}" must be 1-63 characters`);
  if (!QUALIFIED_NAME.test(name!)) out.push(`name part of "${text}" is not a qualified name`);
  return out;
}

export function labelValue(text: string): string[] {
  const out: string[] = [];
  if (text.length > 63) out.push(`label value "${text}" is longer than 63 characters`);
  if (!LABEL_VALUE.test(text)) out.push(`label value "${text}" is not a valid label value`);
  return out;
}

export function dataKey(text: string): string[] {
  return text.length <= 253 && CONFIG_MAP_KEY.test(text) ? [] : [`data key "${text}" is not a valid Secret/ConfigMap key`];
}
