import { createHmac, randomBytes } from 'node:crypto';
import type { RandomSource } from '../compose/types.js';

export const cryptoRandom: RandomSource = (size) => randomBytes(size);

/**
 * A repeatable byte stream (HMAC-SHA256 in counter mode) for golden renders and tests, where a generated password
 * must come out the same on every run. Never used by the server.
 */
export function seededRandom(seed: string): RandomSource {
  let counter = 0;
  return (size) => {
    const chunks: Buffer[] = [];
    let length = 0;
    while (length < size) {
      const chunk = createHmac('sha256', seed).update(String(counter++)).digest();
      chunks.push(chunk);
      length += chunk.length;
    }
    return Buffer.concat(chunks).subarray(0, size);
  };
}
