/** The label value shared by everything past a label's bound, and by what has no name. */
export const OTHER_LABEL = 'other';

/**
 * Label values for an open-ended set of keys (tenant ids), kept to a bound: the first `limit`
 * keys that have a name keep it for the life of the process; later ones, and keys without a name
 * (a tenant not in the registry), share `other`. Each label value costs a series per metric it is
 * on, so a Prometheus server never sees more than `limit + 1` of them.
 */
export class BoundedLabels {
  private readonly assigned = new Map<string, string>();

  constructor(
    private readonly limit: number,
    private readonly nameOf: (key: string) => string | undefined,
  ) {}

  label(key: string): string {
    const known = this.assigned.get(key);
    if (known !== undefined) return known;
    if (this.assigned.size >= this.limit) return OTHER_LABEL;
    const name = this.nameOf(key);
    // Unnamed keys are not remembered: a tenant added later gets its own name then.
    if (name === undefined || name === OTHER_LABEL) return OTHER_LABEL;
    this.assigned.set(key, name);
    return name;
  }
}
