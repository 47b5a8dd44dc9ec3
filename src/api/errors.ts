/** A problem with one field of the XR or the function input, named by its path so a person can find it. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: FieldError[] };

/** `['users', 1, 'name']` under `spec.parameters` becomes `spec.parameters.users[1].name`. */
export function fieldPath(base: string, path: readonly PropertyKey[]): string {
  let out = base;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(String(part))) out += `${out ? '.' : ''}${String(part)}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

export function describeErrors(errors: readonly FieldError[]): string {
  const lines = [...errors].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return lines.map((e) => `${e.path}: ${e.message}`).join('; ');
}
