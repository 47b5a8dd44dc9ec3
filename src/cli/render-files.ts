/** Reading claims, observed objects and the Composition's step input from YAML files. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

type Doc = Record<string, unknown>;

export function readDocuments(path: string): Doc[] {
  const files = statSync(path).isDirectory()
    ? readdirSync(path).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(path, f))
    : [path];
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8')).flatMap((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      const value = doc.toJS() as Doc | null;
      return value ? [value] : [];
    }),
  );
}

/** The input of the Composition's step that calls this function, so a render uses the platform's real choices. */
export function compositionInput(path: string): Doc | undefined {
  const composition = readDocuments(path).find((d) => d['kind'] === 'Composition');
  const pipeline = ((composition?.['spec'] as Doc | undefined)?.['pipeline'] ?? []) as Doc[];
  const step = pipeline.find((s) => (s['functionRef'] as Doc | undefined)?.['name'] === 'function-postgresql');
  return step?.['input'] as Doc | undefined;
}
