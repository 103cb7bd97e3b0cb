// Units of measure (raql.md §1.5, §2.7): a set of dimensions, each with an
// exponent and whether it is measured from an arbitrary origin ("relative").

export interface Dimension {
  readonly name: string;
  readonly exponent: number;
  readonly relative: boolean;
}

/** Dimensions sorted by name, no zero exponent: equal units are deeply equal. */
export type Units = readonly Dimension[];

export const DIMENSIONLESS: Units = [];
export const SECONDS: Units = [{ name: "seconds", exponent: 1, relative: false }];
export const SECONDS_REL: Units = [{ name: "seconds", exponent: 1, relative: true }];

/**
 * Merges repeated dimensions by adding exponents (raql.md §1.5) and sorts them.
 * Returns the dimension that mixes relative and absolute, if any, so the caller
 * can report it where it was written.
 */
export function normalizeUnits(dims: readonly Dimension[]): { units: Units; mixed?: string } {
  const byName = new Map<string, Dimension>();
  let mixed: string | undefined;
  for (const d of dims) {
    const prev = byName.get(d.name);
    if (!prev) {
      byName.set(d.name, d);
      continue;
    }
    if (prev.relative !== d.relative) mixed ??= d.name;
    byName.set(d.name, { name: d.name, exponent: prev.exponent + d.exponent, relative: prev.relative || d.relative });
  }
  const units = [...byName.values()].filter((d) => d.exponent !== 0).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return mixed === undefined ? { units } : { units, mixed };
}

export function unitsEqual(a: Units, b: Units): boolean {
  return (
    a.length === b.length &&
    a.every((d, i) => d.name === b[i]!.name && d.exponent === b[i]!.exponent && d.relative === b[i]!.relative)
  );
}

/** `{bytes*seconds^-1}`; `{}` when dimensionless. */
export function unitsToString(u: Units): string {
  return (
    "{" +
    u
      .map((d) => d.name + (d.relative ? "(rel)" : "") + (d.exponent === 1 ? "" : "^" + String(d.exponent)))
      .join("*") +
    "}"
  );
}
