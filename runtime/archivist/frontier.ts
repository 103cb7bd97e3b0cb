// When the parts of a site (reduced.ts) do not fit the budget together at
// their own optima: what is known of each part's least daily cost under each
// budget, learnt one Z3 run at a time, and the best combination of parts
// within 100 % (the spec's two objectives: Σ daily cost, then Σ perc).

/** Σ perc of a part and its daily cost, for some shares. */
export interface Point {
  readonly share: number;
  readonly dailyCost: bigint;
}

/**
 * Budgets `lowest…highest` whose least cost is not known yet, standing as one
 * point that is at least as good as any of theirs: the least share, and a
 * lower bound of their costs.
 */
export interface UnknownRange extends Point {
  readonly lowest: number;
  readonly highest: number;
}

export const isUnknownRange = (point: Point): point is UnknownRange => "highest" in point;

/**
 * One part's least daily cost f(b) under every budget b of 0…100 %. A Z3 run
 * at budget b giving shares of Σ perc s tells f on all of s…b (the same shares
 * fit, and f never rises with b); an unsat run at b tells that no budget up to
 * b is feasible. Unknown budgets below a known f(b) cost at least f(b), and
 * more when that point's share is known to be the least of its cost.
 */
export class Frontier<P extends Point> {
  // per budget: the optimum found for it, null when unsat, undefined when unknown
  readonly #atBudget: (P | null | undefined)[] = new Array<undefined>(101).fill(undefined);
  readonly #leastOfItsCost = new Set<P>();

  /** `optimum`: the part's lexicographic optimum with the whole budget. */
  constructor(optimum: P) {
    this.record(100, optimum, true);
  }

  /**
   * The least daily cost under `budget` is that of `point` (null: unsat);
   * `leastOfItsCost`: no smaller share has that cost.
   */
  record(budget: number, point: P | null, leastOfItsCost: boolean): void {
    const from = point === null ? 0 : point.share;
    for (let b = from; b <= budget; b++) this.#atBudget[b] = point;
    if (point !== null && leastOfItsCost) this.#leastOfItsCost.add(point);
  }

  /** The known points, then one optimistic point per range of unknown budgets. */
  options(): (P | UnknownRange)[] {
    const known = new Set<P>();
    const ranges: UnknownRange[] = [];
    for (let b = 100; b >= 0; b--) {
      const found = this.#atBudget[b];
      if (found === null) break; // and every smaller budget is unsat too
      if (found !== undefined) {
        known.add(found);
        continue;
      }
      const highest = b;
      while (b > 0 && this.#atBudget[b - 1] === undefined) b--;
      // the budget just above is known (100 always is), and its point's share is highest + 1
      const above = this.#atBudget[highest + 1]!;
      const dailyCost = above.dailyCost + (this.#leastOfItsCost.has(above) ? 1n : 0n);
      ranges.push({ share: b, dailyCost, lowest: b, highest });
    }
    return [...known, ...ranges];
  }
}

/**
 * One point per part, with the least Σ daily cost, then the least Σ share,
 * and Σ share ≤ 100; undefined when none fits. A knapsack over the share used.
 */
export function bestCombination<P extends Point>(
  options: readonly (readonly P[])[],
): { readonly dailyCost: bigint; readonly share: number; readonly chosen: readonly P[] } | undefined {
  // byShare[s]: the cheapest choice so far using exactly s percent
  let byShare: ({ dailyCost: bigint; chosen: P[] } | undefined)[] = [{ dailyCost: 0n, chosen: [] }];
  for (const partOptions of options) {
    const next: typeof byShare = [];
    byShare.forEach((choice, used) => {
      if (choice === undefined) return;
      for (const point of partOptions) {
        const share = used + point.share;
        if (share > 100) continue;
        const dailyCost = choice.dailyCost + point.dailyCost;
        const current = next[share];
        if (current === undefined || dailyCost < current.dailyCost) next[share] = { dailyCost, chosen: [...choice.chosen, point] };
      }
    });
    byShare = next;
  }
  let best: { dailyCost: bigint; share: number; chosen: P[] } | undefined;
  byShare.forEach((choice, share) => {
    if (choice !== undefined && (best === undefined || choice.dailyCost < best.dailyCost)) best = { ...choice, share };
  });
  return best;
}
