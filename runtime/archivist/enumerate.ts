// A small part's whole frontier without Z3. Walking a part's frontier down
// with Z3 costs one optimisation per budget (frontier.ts), ~0.1 s each for
// parts of ~20 functions, and a site cut by a hub has three variants of each
// such part. By reduction 2 a part's shares are few: each function's share is
// 0 or one of its needs. When their combinations are few enough, visiting
// them all in topological order gives, in one pass, the least daily cost at
// every Σ perc, hence the part's least cost under every budget: the same
// frontier Z3 would walk, known at once. A branch is cut when its share
// passes 100, when a retained function cannot be recomputed (INVALID), or
// when its cost so far (costs only add up) already reaches the least cost
// found with no more share. Costs are added as float64, exact while every
// sum stays below 2^53 (checked before searching; otherwise Z3 is used).

import type { ProblemPart } from "./reduced.js";
import { thresholdsOf } from "./reduced.js";
import type { Problem } from "./smt2.js";

/** A part's shares and their figures. */
export interface EnumeratedPoint {
  readonly share: number;
  readonly dailyCost: bigint;
  /** function index → perc, for the functions of the part */
  readonly percs: ReadonlyMap<number, number>;
}

/**
 * Per budget 0…100, the part's least daily cost under it, with the least
 * share at that cost (null: no shares within that budget are feasible);
 * undefined when the search would visit more than `maxNodes` partial
 * combinations or costs could lose precision.
 */
export function enumerateFrontier(problem: Problem, part: ProblemPart, maxNodes: number): (EnumeratedPoint | null)[] | undefined {
  const { functions, constants } = problem;
  const order = topologicalOrder(problem, part);
  const numDurations = problem.durations.length;
  const given = part.given ?? new Map<number, number>();
  const position = new Map(order.map((f, k) => [f, k]));
  const thresholds = thresholdsOf(problem, part);
  const levelsOf = order.map((f) => [0, ...thresholds[part.functions.indexOf(f)]!]);
  const demandedOf = order.map((f) => part.demanded[part.functions.indexOf(f)]!);
  if (!costsAreExact(problem, order, demandedOf, given)) return undefined;

  // costs[k * numDurations + i]: cost of order[k] at duration i in the current branch, Infinity for INVALID
  const costs = new Float64Array(order.length * numDurations);
  const givenCost = (f: number, i: number) => (given.get(f)! >= constants[f]!.need[i]! ? constants[f]!.recall[i]! : Infinity);
  const parentSlots = order.map((f) => functions[f]!.parents.map((p) => position.get(p)));
  const chosen = new Array<number>(order.length).fill(0);
  // per exact share: the least cost found and its shares; envelope[b]: least cost with share ≤ b
  const bestAtShare: ({ cost: number; percs: number[] } | undefined)[] = new Array(101).fill(undefined);
  const envelope = new Float64Array(101).fill(Infinity);
  let nodes = 0;

  const visit = (k: number, share: number, running: number): boolean => {
    if (++nodes > maxNodes) return false;
    if (k === order.length) {
      if (running < envelope[share]!) {
        bestAtShare[share] = { cost: running, percs: [...chosen] };
        for (let b = share; b <= 100 && running < envelope[b]!; b++) envelope[b] = running;
      }
      return true;
    }
    const f = order[k]!;
    const c = constants[f]!;
    const parents = functions[f]!.parents;
    for (const perc of levelsOf[k]!) {
      const nextShare = share + perc;
      if (nextShare > 100) break; // levels ascend
      let next = running;
      for (const i of demandedOf[k]!) {
        let cost: number;
        if (perc >= c.need[i]!) cost = c.recall[i]!;
        else if (parents.length === 0) cost = Infinity;
        else {
          cost = c.recompute[i]!;
          for (let p = 0; p < parents.length; p++) {
            const slot = parentSlots[k]![p];
            cost += slot === undefined ? givenCost(parents[p]!, i) : costs[slot * numDurations + i]!;
          }
        }
        costs[k * numDurations + i] = cost;
        if (i === c.retained) next += c.queriesPerDay * cost;
      }
      // Infinity: a retained function that cannot be recomputed
      if (next === Infinity || next >= envelope[nextShare]!) continue;
      chosen[k] = perc;
      if (!visit(k + 1, nextShare, next)) return false;
    }
    return true;
  };
  if (!visit(0, 0, 0)) return undefined;

  const points: (EnumeratedPoint | null)[] = [];
  let best: EnumeratedPoint | null = null;
  for (let b = 0; b <= 100; b++) {
    const found = bestAtShare[b];
    // strictly cheaper only: at equal cost the smaller share stays
    if (found !== undefined && (best === null || BigInt(found.cost) < best.dailyCost)) {
      best = { share: b, dailyCost: BigInt(found.cost), percs: new Map(order.map((f, k) => [f, found.percs[k]!])) };
    }
    points.push(best);
  }
  return points;
}

/** The part's functions, parents first. */
function topologicalOrder(problem: Problem, part: ProblemPart): number[] {
  const inPart = new Set(part.functions);
  const order: number[] = [];
  const placed = new Set<number>();
  const place = (f: number) => {
    if (placed.has(f)) return;
    placed.add(f);
    for (const p of problem.functions[f]!.parents) if (inPart.has(p)) place(p);
    order.push(f);
  };
  for (const f of part.functions) place(f);
  return order;
}

/**
 * Whether every finite daily cost of the part is below 2^53: the largest
 * finite cost of each function is at most the greater of its recall cost and
 * its recompute cost plus its parents' largest.
 */
function costsAreExact(
  problem: Problem,
  order: readonly number[],
  demandedOf: readonly (readonly number[])[],
  given: ReadonlyMap<number, number>,
): boolean {
  const { functions, constants } = problem;
  const slot = (f: number, i: number) => f * problem.durations.length + i;
  const largest = new Map<number, number>();
  let total = 0;
  order.forEach((f, k) => {
    const c = constants[f]!;
    for (const i of demandedOf[k]!) {
      let recomputed = c.recompute[i]!;
      for (const p of functions[f]!.parents) recomputed += given.has(p) ? constants[p]!.recall[i]! : largest.get(slot(p, i))!;
      const cost = Math.max(c.recall[i]!, functions[f]!.parents.length === 0 ? 0 : recomputed);
      largest.set(slot(f, i), cost);
      if (i === c.retained) total += c.queriesPerDay * cost;
    }
  });
  return total < Number.MAX_SAFE_INTEGER;
}
