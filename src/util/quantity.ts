/**
 * Kubernetes quantities of bytes. The claim's size fields allow only Mi, Gi and Ti; what the API server and operators
 * write on volumes (a PVC's request and capacity) may also be a plain number of bytes or carry a decimal suffix.
 */
const FACTORS: Readonly<Record<string, number>> = {
  '': 1,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
};

/** Bytes in `quantity`, or undefined when it isn't a number with one of the suffixes above. */
export function bytes(quantity: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  return m ? Number(m[1]) * FACTORS[m[2] ?? '']! : undefined;
}

/** `n` bytes in the largest binary unit that divides it, as the size fields write sizes ("768Mi", "2Gi"). */
export function binaryQuantity(n: number): string {
  for (const unit of ['Ti', 'Gi', 'Mi'] as const) {
    if (n > 0 && n % FACTORS[unit]! === 0) return `${n / FACTORS[unit]!}${unit}`;
  }
  return `${Math.ceil(n / FACTORS['Mi']!)}Mi`;
}
