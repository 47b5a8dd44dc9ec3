import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The real CRDs live beside the checkout, never in it. */
export const SHARED = process.env['SHARED_DIR'] ?? resolve(REPO, '../shared');
export const CRDS = resolve(SHARED, 'crds');
