// The problem Z3 is actually given. archival.md §4.5 defines the formulation
// (printed by `ramen archivist --smt2`, saved in allocations.smt2); §4.6 lets
// the solver work on any problem with the same optima. Z3 struggles with the
// spec's text beyond a few dozen functions (integer shares walked down one by
// one, costs of 10^20, 200 functions coupled through two sums), so it gets
// instead, per independent part of the site, this reduction:
//
// 1. Only the demand counts. A function's cost at d_i feeds only its
//    children's costs at d_i, so cost_f_i can reach the first objective or a
//    feasibility constraint only when f or a descendant is retained at d_i
//    (the pair is "demanded"). The other cost_f_i are always definable (the
//    ite is total) and constrain nothing that matters: they are left out. A
//    function with no demanded duration enters only the budget and Σ perc, so
//    every optimum gives it 0: it is left out and fixed at 0.
// 2. Shares as Booleans. perc_f matters only through the thresholds
//    `perc_f ≥ need[f,i]` of its demanded durations, so lowering it to the
//    largest threshold it reaches (or 0) keeps every cost and the budget and
//    does not raise Σ perc: every optimum has perc_f ∈ {0} ∪ {those needs
//    within 100}. One Boolean per such need says `perc_f ≥ need`, each implying
//    the smaller ones; perc_f is their sum of increments. (A need ≤ 0 is always
//    reached, one above 100 never.)
// 3. Feasibility as Booleans. With non-negative costs, `cost_f_i < INVALID`
//    holds exactly when every way of recomputing f at d_i ends at archived
//    functions, never at a function without parents that is not archived:
//    `ok_f_i ⇒ archived ∨ (f has parents ∧ every parent ok)`, asserted for the
//    retained functions. Then no cost holds INVALID, and the cost of a function
//    without parents, when it matters, is its recall cost: a constant. (This
//    assumes real costs stay below INVALID; formulate reports those that do
//    not, for which the allocation is meaningless anyway.)
// 4. Costs as lower bounds: `cost_f_i ≥ R` when archived, `≥ K + Σ parents'
//    costs` otherwise. The first objective weighs costs positively and each
//    bound grows with the parents' costs, so at its minimum every cost that a
//    retained function depends on is tight: for any shares the minimum over
//    the costs is the spec's value. (Costs of functions that are not ok bound
//    only children that ignore them.)
// 5. Independent parts. Functions not linked by parent edges share only the
//    budget. Each part is solved alone with the whole budget; if the optimal
//    shares of all parts fit together, their union is an optimum of the whole
//    (the whole's feasible set lies in the product of the parts' and contains
//    that point). Otherwise the whole's optimum is the combination of one
//    point per part's frontier (the part's least daily cost under each budget)
//    with the least (Σ daily cost, Σ perc) within 100 %: the restriction of
//    any solution of the whole to a part is dominated by the frontier point of
//    the budget it uses. Frontiers are computed only as far as the best
//    combination could use them (frontier.ts, solve.ts).
// 6. Conditioning on a root that cuts its part. When every program reads one
//    common source (a hub), the site is one part, too large for Z3. A function
//    without parents has costs that are constants given its share: its recall
//    cost where it is archived, INVALID (not ok) elsewhere; and by reduction 2
//    its share is 0 or one of its needs. If removing it splits its part into
//    components, no other parent edge links them, so once its share is chosen
//    they are independent parts (reduction 5) that read its constant costs.
//    The part's optimum is the best, over its few shares, of that share's
//    retention cost and share plus the best combination of the components
//    under the remaining budget; the choices are compared through the same
//    frontiers (solve.ts). A component reads only the durations its functions
//    demand, so choices archiving the root at the same of those durations give
//    it the same problem, solved once.
// The two objectives are minimised one after the other (see Goal).

import { Problem, integerText } from "./smt2.js";

/** Functions linked by parent edges, with the durations at which each is demanded. */
export interface ProblemPart {
  /** function indices, ascending */
  readonly functions: readonly number[];
  /** per function of `functions`, same order: demanded duration indices, ascending */
  readonly demanded: readonly (readonly number[])[];
  /**
   * Shares chosen outside the part (reduction 6), function index → perc, of
   * functions without parents that the part's functions read.
   */
  readonly given?: ReadonlyMap<number, number>;
}

/** Each function's parents and children: the graph whose connected parts are independent. */
function neighboursOf(problem: Problem): number[][] {
  const neighbours = problem.functions.map((f) => [...f.parents]);
  for (const f of problem.functions) for (const p of f.parents) neighbours[p]!.push(f.index);
  return neighbours;
}

/** The connected components, members ascending, of the vertices that `included` keeps. */
function components(vertices: readonly number[], neighbours: readonly (readonly number[])[], included: (v: number) => boolean): number[][] {
  const seen = new Set<number>();
  const found: number[][] = [];
  for (const start of vertices) {
    if (!included(start) || seen.has(start)) continue;
    const members: number[] = [];
    seen.add(start);
    const pending = [start];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      members.push(next);
      for (const other of neighbours[next]!) {
        if (included(other) && !seen.has(other)) {
          seen.add(other);
          pending.push(other);
        }
      }
    }
    found.push(members.sort((a, b) => a - b));
  }
  return found;
}

/**
 * The demanded (function, duration) pairs of the problem (reduction 1),
 * grouped into parts that no parent edge links (reduction 5). Functions
 * demanded at no duration belong to no part.
 */
export function splitProblem(problem: Problem): ProblemPart[] {
  const { functions, constants } = problem;
  const demanded = functions.map(() => new Set<number>());
  const demand = (f: number, i: number) => {
    const pending = [f];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      if (demanded[next]!.has(i)) continue;
      demanded[next]!.add(i);
      pending.push(...functions[next]!.parents);
    }
  };
  constants.forEach((c, f) => {
    if (c.retained !== undefined) demand(f, c.retained);
  });

  // a parent of a demanded function is demanded, a child may not be
  const parts = components(
    functions.map((f) => f.index),
    neighboursOf(problem),
    (f) => demanded[f]!.size > 0,
  );
  return parts.map((members) => ({
    functions: members,
    demanded: members.map((f) => [...demanded[f]!].sort((a, b) => a - b)),
  }));
}

/** The share thresholds of each function of a part (reduction 2), ascending. */
function thresholdsOf(problem: Problem, part: ProblemPart): number[][] {
  return part.functions.map((f, k) => {
    const needs = part.demanded[k]!.map((i) => problem.constants[f]!.need[i]!);
    return [...new Set(needs)].filter((n) => n > 0 && n <= 100).sort((a, b) => a - b);
  });
}

const share = (f: number, threshold: number) => `share_${f}_${threshold}`;
const cost = (f: number, i: number) => `cost_${f}_${i}`;
const ok = (f: number, i: number) => `ok_${f}_${i}`;
const sum = (terms: readonly string[]) => `(+ 0${terms.map((t) => " " + t).join("")})`;

/** One part's constraints for Z3, its two objectives as terms, and the Booleans to read back. */
export interface PartEncoding {
  readonly part: ProblemPart;
  /** Σ perc ≤ budget */
  readonly budget: number;
  /** declarations, threshold chains, the budget, cost bounds and feasibility */
  readonly lines: readonly string[];
  /** Σ q × cost over the part's retained functions */
  readonly dailyCost: string;
  /** Σ perc over the part's functions */
  readonly share: string;
  /** the Boolean constants saying `perc_f ≥ threshold` */
  readonly shareVariables: readonly { readonly name: string; readonly f: number; readonly threshold: number }[];
}

/** The reduced problem of one part with `Σ perc ≤ budget`, without objective. */
export function encodePart(problem: Problem, part: ProblemPart, budget: number): PartEncoding {
  const { functions, constants } = problem;
  const thresholds = thresholdsOf(problem, part);
  const declarations: string[] = [];
  const constraints: string[] = [];
  const shareVariables: { name: string; f: number; threshold: number }[] = [];
  const increments: string[] = [];
  part.functions.forEach((f, k) => {
    let previous = 0;
    for (const t of thresholds[k]!) {
      declarations.push(`(declare-const ${share(f, t)} Bool)`);
      if (previous > 0) constraints.push(`(assert (=> ${share(f, t)} ${share(f, previous)}))`);
      increments.push(`(ite ${share(f, t)} ${t - previous} 0)`);
      shareVariables.push({ name: share(f, t), f, threshold: t });
      previous = t;
    }
  });
  const given = part.given ?? new Map<number, number>();
  const archived = (f: number, i: number): string => {
    const need = constants[f]!.need[i]!;
    const givenPerc = given.get(f);
    if (givenPerc !== undefined) return String(givenPerc >= need);
    return need <= 0 ? "true" : need > 100 ? "false" : share(f, need);
  };
  // a given function has no parent: it is ok exactly where it is archived
  const okTerm = (f: number, i: number) => (given.has(f) ? archived(f, i) : ok(f, i));
  const isConstant = (f: number, i: number) => functions[f]!.parents.length === 0 || constants[f]!.need[i]! <= 0;
  const costTerm = (f: number, i: number) => (isConstant(f, i) ? integerText(constants[f]!.recall[i]!) : cost(f, i));

  part.functions.forEach((f, k) => {
    const c = constants[f]!;
    const parents = functions[f]!.parents;
    for (const i of part.demanded[k]!) {
      declarations.push(`(declare-const ${ok(f, i)} Bool)`);
      const held = archived(f, i);
      const recomputable = parents.length === 0 ? "false" : `(and${parents.map((p) => " " + okTerm(p, i)).join("")})`;
      constraints.push(`(assert (=> ${ok(f, i)} (or ${held} ${recomputable})))`);
      if (isConstant(f, i)) continue;
      declarations.push(`(declare-const ${cost(f, i)} Int)`);
      const recompute = `(+ ${integerText(c.recompute[i]!)}${parents.map((p) => " " + costTerm(p, i)).join("")})`;
      constraints.push(`(assert (=> ${held} (>= ${cost(f, i)} ${integerText(c.recall[i]!)})))`);
      constraints.push(`(assert (=> (not ${held}) (>= ${cost(f, i)} ${recompute})))`);
    }
  });
  const dailyCosts: string[] = [];
  for (const f of part.functions) {
    const c = constants[f]!;
    if (c.retained === undefined) continue;
    constraints.push(`(assert ${ok(f, c.retained)})`);
    dailyCosts.push(`(* ${c.queriesPerDay} ${costTerm(f, c.retained)})`);
  }
  const shareSum = sum(increments);
  return {
    part,
    budget,
    lines: [...declarations, `(assert (<= ${shareSum} ${budget}))`, ...constraints],
    dailyCost: sum(dailyCosts),
    share: shareSum,
    shareVariables,
  };
}

/**
 * What Z3 minimises over several parts at once: their daily costs, or their
 * shares (each part's daily cost at most its bound, when given). The parts
 * share no variable, so the minimum of the sum is every part at its own
 * minimum: one Z3 run instead of one per part.
 *
 * The spec's two objectives are minimised one after the other (the daily
 * costs, then the shares with the costs bounded by their minima) rather than
 * in Z3's lexicographic mode, which returned shares above the second optimum
 * with these Booleans; one weighted sum of both is much slower for Z3.
 */
export type Goal = { readonly minimise: "dailyCost" } | { readonly minimise: "share"; readonly dailyCostBounds?: readonly bigint[] };

export function batchText(encodings: readonly PartEncoding[], goal: Goal): string {
  const lines = encodings.flatMap((e) => e.lines);
  if (goal.minimise === "dailyCost") {
    lines.push(`(minimize ${sum(encodings.map((e) => e.dailyCost))})`);
  } else {
    const bounds = goal.dailyCostBounds;
    if (bounds) encodings.forEach((e, k) => lines.push(`(assert (<= ${e.dailyCost} ${bounds[k]}))`));
    lines.push(`(minimize ${sum(encodings.map((e) => e.share))})`);
  }
  return lines.join("\n") + "\n";
}

/**
 * The first objective of the spec for given shares (§4.5): Σ over retained
 * functions of q × cost at their retention, costs defined by recursion over
 * the parents; undefined when some retained cost reaches INVALID (a function
 * without parents not archived). Exact: the float64 constants are added as
 * the integers the SMT2 text holds. `among` restricts the sum to some
 * functions (a part: its costs depend on its own shares only).
 */
export function dailyCost(problem: Problem, percs: readonly number[], among?: readonly number[]): bigint | undefined {
  const { functions, constants } = problem;
  const memo = new Map<number, bigint | undefined>();
  const costAt = (f: number, i: number): bigint | undefined => {
    const key = f * problem.durations.length + i;
    if (memo.has(key)) return memo.get(key);
    const c = constants[f]!;
    let value: bigint | undefined;
    if (percs[f]! >= c.need[i]!) value = BigInt(c.recall[i]!);
    else if (functions[f]!.parents.length > 0) {
      value = BigInt(c.recompute[i]!);
      for (const p of functions[f]!.parents) {
        const parent = costAt(p, i);
        if (parent === undefined) {
          value = undefined;
          break;
        }
        value += parent;
      }
    }
    memo.set(key, value);
    return value;
  };
  let total = 0n;
  for (const f of among ?? functions.map((g) => g.index)) {
    const c = constants[f]!;
    if (c.retained === undefined) continue;
    const retainedCost = costAt(f, c.retained);
    if (retainedCost === undefined) return undefined;
    total += BigInt(c.queriesPerDay) * retainedCost;
  }
  return total;
}

/** One share of a conditioned root and what is left to solve (reduction 6). */
export interface ConditionedChoice {
  readonly perc: number;
  /** q × cost of the root's own retention, 0 without one */
  readonly dailyCost: bigint;
  /**
   * The components the root's removal leaves, each reading the root's share;
   * the same object for choices that give a component the same problem.
   */
  readonly parts: readonly ProblemPart[];
}

/** A part's root whose removal splits the part, and its possible shares. */
export interface Conditioning {
  readonly root: number;
  readonly choices: readonly ConditionedChoice[];
}

/**
 * The best root to condition the part on (reduction 6): among the functions
 * without parents whose removal splits the part, the one leaving the smallest
 * largest component; undefined when there is none or it has more than
 * `maxChoices` feasible shares.
 */
export function conditionPart(problem: Problem, part: ProblemPart, maxChoices: number): Conditioning | undefined {
  const { functions, constants } = problem;
  const demandedOf = new Map(part.functions.map((f, k) => [f, part.demanded[k]!]));
  const neighbours = neighboursOf(problem);
  const inPart = new Set(part.functions);
  const componentsWithout = (removed: number) => components(part.functions, neighbours, (f) => f !== removed && inPart.has(f));
  let best: { root: number; split: number[][]; largest: number } | undefined;
  for (const f of part.functions) {
    if (functions[f]!.parents.length > 0) continue;
    const split = componentsWithout(f);
    const largest = Math.max(...split.map((c) => c.length));
    if (split.length >= 2 && (best === undefined || largest < best.largest)) best = { root: f, split, largest };
  }
  if (best === undefined) return undefined;
  const { root, split } = best;

  const need = constants[root]!.need;
  const thresholds = demandedOf.get(root)!.map((i) => need[i]!).filter((n) => n > 0 && n <= 100);
  const rootPercs = problem.functions.map(() => 0);
  const choices: { perc: number; dailyCost: bigint }[] = [];
  for (const perc of [...new Set([0, ...thresholds])].sort((a, b) => a - b)) {
    rootPercs[root] = perc;
    // undefined: the root's own retention is not archived with this share
    const cost = dailyCost(problem, rootPercs, [root]);
    if (cost !== undefined) choices.push({ perc, dailyCost: cost });
  }
  if (choices.length === 0 || choices.length > maxChoices) return undefined;

  // the durations at which each component reads the root: those its children of the root demand
  const readDurations = split.map((members) => {
    const read = new Set<number>();
    for (const f of members) if (functions[f]!.parents.includes(root)) for (const i of demandedOf.get(f)!) read.add(i);
    return [...read].sort((a, b) => a - b);
  });
  const sameProblem = new Map<string, ProblemPart>();
  return {
    root,
    choices: choices.map(({ perc, dailyCost }) => ({
      perc,
      dailyCost,
      parts: split.map((members, c) => {
        const key = `${c}:${readDurations[c]!.filter((i) => perc >= need[i]!).join(",")}`;
        let component = sameProblem.get(key);
        if (component === undefined) {
          component = { functions: members, demanded: members.map((f) => demandedOf.get(f)!), given: new Map([[root, perc]]) };
          sameProblem.set(key, component);
        }
        return component;
      }),
    })),
  };
}
