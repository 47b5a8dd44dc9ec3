/** Binary-suffixed Kubernetes quantities, as the size fields allow them (Mi, Gi, Ti). */
const FACTORS: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** Bytes in `quantity`, or undefined when it isn't a number with one of the binary suffixes. */
export function bytes(quantity: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti)$/.exec(quantity);
  return m ? Number(m[1]) * FACTORS[m[2]!]! : undefined;
}
