// The problem Z3 is given instead of the spec's text (runtime/archivist/reduced.ts):
// what it keeps, the frontiers of parts when the budget binds, and, through the
// real Z3, the same optimum as the spec's formulation on random small sites.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../runtime/archivist/config.js";
import { Frontier, bestCombination, isUnknownRange } from "../../runtime/archivist/frontier.js";
import type { Point } from "../../runtime/archivist/frontier.js";
import { batchText, conditionPart, dailyCost, encodePart, splitProblem } from "../../runtime/archivist/reduced.js";
import { formulate, selectFunctions } from "../../runtime/archivist/smt2.js";
import type { Problem } from "../../runtime/archivist/smt2.js";
import { solveProblem, solveSpecText } from "../../runtime/archivist/solve.js";
import { parseSiteStats } from "../../runtime/archivist/stats.js";
import { RawConfig, RawStats, referenceAllocations } from "./reference.js";

function problemOf(config: RawConfig, stats: Record<string, RawStats>): Problem {
  const parsed = parseConfig(config, "config.json");
  return formulate(selectFunctions({ config: parsed, stats: parseSiteStats(stats, "stats.json"), site: "local" }), parsed).problem;
}

/** Stats of a function over 600 s of event time. */
const over600s = (parents: string[], bytes: number, cpu = 1): RawStats => ({
  parents,
  is_running: true,
  min_etime: 0,
  max_etime: 600,
  bytes,
  cpu,
});

describe("parts and demanded durations", () => {
  it("keeps the retained functions and their ancestors, at the durations they are asked for", () => {
    const config = { size_limit: 1e9, retentions: { "p/a": { duration: 3600 }, "q/x": { duration: 3600 }, "q/y": { duration: 86400 } } };
    const stats = {
      "p/s": over600s([], 1000),
      "p/a": over600s(["p/s"], 1000),
      "p/b": over600s(["p/s"], 1000), // no retention, no retained descendant
      "q/s": over600s([], 1000),
      "q/x": over600s(["q/s"], 1000),
      "q/y": over600s(["q/x"], 1000),
    };
    const problem = problemOf(config, stats);
    expect(problem.functions.map((f) => f.fq)).toEqual(["p/a", "p/b", "p/s", "q/s", "q/x", "q/y"]);
    expect(problem.durations).toEqual([3600, 86400]);
    // q/x is asked 3600 s for itself and 86400 s for q/y; q/s both for them
    expect(splitProblem(problem)).toEqual([
      { functions: [0, 2], demanded: [[0], [0]] },
      { functions: [3, 4, 5], demanded: [[0, 1], [0, 1], [1]] },
    ]);
  });

  it("the worked example of §4.9 as Z3 gets it", () => {
    // a (need 15, R 1, K 6), b (need 30, R 2, K 6), root (need 90, R 4, no parent: a constant cost)
    const config = { size_limit: 4_000_000, retentions: { "children/*": { duration: 3600 } } };
    const stats = { root: over600s([], 600_000), "children/a": over600s(["root"], 100_000), "children/b": over600s(["root"], 200_000) };
    const problem = problemOf(config, stats);
    const [part] = splitProblem(problem);
    const shares = "(+ 0 (ite share_0_15 15 0) (ite share_1_30 30 0) (ite share_2_90 90 0))";
    const encoding = encodePart(problem, part!, 100);
    expect(encoding.lines).toEqual([
      "(declare-const share_0_15 Bool)",
      "(declare-const share_1_30 Bool)",
      "(declare-const share_2_90 Bool)",
      "(declare-const ok_0_0 Bool)",
      "(declare-const cost_0_0 Int)",
      "(declare-const ok_1_0 Bool)",
      "(declare-const cost_1_0 Int)",
      "(declare-const ok_2_0 Bool)",
      `(assert (<= ${shares} 100))`,
      "(assert (=> ok_0_0 (or share_0_15 (and ok_2_0))))",
      "(assert (=> share_0_15 (>= cost_0_0 1)))",
      "(assert (=> (not share_0_15) (>= cost_0_0 (+ 6 4))))",
      "(assert (=> ok_1_0 (or share_1_30 (and ok_2_0))))",
      "(assert (=> share_1_30 (>= cost_1_0 2)))",
      "(assert (=> (not share_1_30) (>= cost_1_0 (+ 6 4))))",
      "(assert (=> ok_2_0 (or share_2_90 false)))",
      "(assert ok_0_0)",
      "(assert ok_1_0)",
    ]);
    const daily = "(+ 0 (* 144 cost_0_0) (* 144 cost_1_0))";
    expect(batchText([encoding], { minimise: "dailyCost" }).trimEnd().split("\n").slice(-1)).toEqual([`(minimize (+ 0 ${daily}))`]);
    expect(batchText([encoding], { minimise: "share", dailyCostBounds: [432n] }).trimEnd().split("\n").slice(-2)).toEqual([
      `(assert (<= ${daily} 432))`,
      `(minimize (+ 0 ${shares}))`,
    ]);
  });

  it("the daily cost of shares, by the recursion of §4.5", () => {
    // the worked example of §4.9: a (need 15, R 1, K 6), b (need 30, R 2, K 6), root (need 90, R 4)
    const config = { size_limit: 4_000_000, retentions: { "children/*": { duration: 3600 } } };
    const stats = { root: over600s([], 600_000), "children/a": over600s(["root"], 100_000), "children/b": over600s(["root"], 200_000) };
    const problem = problemOf(config, stats);
    expect(dailyCost(problem, [15, 30, 0])).toBe(144n * (1n + 2n));
    expect(dailyCost(problem, [0, 0, 90])).toBe(144n * (10n + 10n));
    expect(dailyCost(problem, [15, 0, 90])).toBe(144n * (1n + 10n));
    expect(dailyCost(problem, [15, 0, 0])).toBeUndefined(); // b needs root, not archived
    expect(dailyCost(problem, [15, 0, 0], [0])).toBe(144n);
  });
});

describe("frontiers", () => {
  const point = (share: number, cost: number) => ({ share, dailyCost: BigInt(cost) });

  it("stands for unknown budgets with one optimistic point per range", () => {
    const frontier = new Frontier<Point>(point(40, 100));
    // below 40 nothing is known; 40 is the least share of cost 100
    expect(frontier.options()).toEqual([point(40, 100), { share: 0, dailyCost: 101n, lowest: 0, highest: 39 }]);
    frontier.record(9, null, false); // nothing fits in 9 % or less
    frontier.record(30, point(25, 180), false); // f(25…30) = 180
    expect(frontier.options()).toEqual([
      point(40, 100),
      point(25, 180),
      { share: 31, dailyCost: 101n, lowest: 31, highest: 39 },
      // 25 may not be the least share of cost 180
      { share: 10, dailyCost: 180n, lowest: 10, highest: 24 },
    ]);
    frontier.record(24, null, false);
    frontier.record(39, point(31, 150), false);
    expect(frontier.options().filter(isUnknownRange)).toEqual([]);
  });

  it("the best combination within 100 %: least cost, then least share", () => {
    const parts = [
      [point(60, 10), point(30, 50), point(20, 80)],
      [point(50, 10), point(40, 20), point(10, 90)],
    ];
    // 60 + 40 = 100 at cost 30 beats 30 + 50 (60) and 20 + 50 (90)
    expect(bestCombination(parts)).toEqual({ dailyCost: 30n, share: 100, chosen: [parts[0]![0], parts[1]![1]] });
    // same cost, less share
    const ties = [[point(50, 10), point(30, 10)], [point(20, 5)]];
    expect(bestCombination(ties)).toEqual({ dailyCost: 15n, share: 50, chosen: [ties[0]![1], ties[1]![0]] });
    expect(bestCombination([[point(60, 1)], [point(50, 1)]])).toBeUndefined();
  });
});

describe("solving the reduced problem (through Z3)", () => {
  it("two parts that do not fit together at their own optima", async () => {
    // need = ceil(rs × 0.036): a (rs 1600) 58 %, s (rs 800) 29 %; R: a 6, s 3; K: c1/a 60, c2/a 6.
    // Alone, each part archives its a (cost 6); together 116 %. Within 100 %:
    // (c1/a, c2/s) 144 × (6 + 6 + 3) at 87 %; (c1/s, c2/a) 144 × (60 + 3 + 6); (c1/s, c2/s) 144 × (63 + 9).
    const config = { size_limit: 1e7, retentions: { "*/a": { duration: 3600 } } };
    const stats = {
      "c1/s": over600s([], 480_000),
      "c1/a": over600s(["c1/s"], 960_000, 9.9),
      "c2/s": over600s([], 480_000),
      "c2/a": over600s(["c2/s"], 960_000, 0.9),
    };
    const problem = problemOf(config, stats);
    expect(splitProblem(problem)).toHaveLength(2);
    const outcome = await solveProblem(problem);
    expect(outcome).toEqual({ status: "sat", percs: [58, 0, 0, 29], timedOut: false });
    expect(problem.functions.map((f) => f.fq)).toEqual(["c1/a", "c1/s", "c2/a", "c2/s"]);
    expect(dailyCost(problem, [58, 0, 0, 29])).toBe(144n * 15n);
    expect(referenceAllocations(config, stats)).toEqual({ "c1/a": 6666667, "c1/s": 0, "c2/a": 0, "c2/s": 3333333 });
  });

  // A function is a root or reads 1–2 earlier ones (no cycle); needs range from 0 to ~90 % of
  // size_limit per function, so that the budget often binds, sometimes across parts.
  const randomSite = fc
    .integer({ min: 1, max: 12 })
    .chain((n) =>
      fc.record({
        functions: fc.array(
          fc.record({
            root: fc.boolean(),
            parents: fc.uniqueArray(fc.nat(), { minLength: 1, maxLength: 2 }),
            bytes: fc.integer({ min: 0, max: 1_500_000 }),
            cpu: fc.double({ min: 0, max: 50, noNaN: true }),
            retention: fc.option(fc.record({ duration: fc.constantFrom(600, 1800, 3600), period: fc.constantFrom(60, 600, 3600) })),
          }),
          { minLength: n, maxLength: n },
        ),
        sizeLimit: fc.constantFrom(1e7, 3e7),
      }),
    );
  type RandomSite = typeof randomSite extends fc.Arbitrary<infer S> ? S : never;

  /** The site's problem; with `hub`, the functions drawn as roots read f00 instead, the only root. */
  function randomProblem({ functions, sizeLimit }: RandomSite, hub: boolean): Problem {
    const name = (i: number) => `f${String(i).padStart(2, "0")}`;
    const stats: Record<string, RawStats> = {};
    const retentions: Record<string, { duration: number; period: number }> = {};
    functions.forEach((f, i) => {
      const parents = i === 0 ? [] : f.root ? (hub ? [name(0)] : []) : [...new Set(f.parents.map((p) => name(p % i)))];
      stats[name(i)] = over600s(parents, f.bytes, f.cpu);
      if (f.retention) retentions[name(i)] = f.retention;
    });
    return problemOf({ size_limit: sizeLimit, retentions }, stats);
  }

  /** The reduced problem's optimum equals that of Z3 on the spec's text: the same daily cost and Σ perc. */
  async function expectSpecOptimum(problem: Problem, conditionFrom?: number): Promise<void> {
    const reduced = await solveProblem(problem, 20_000, conditionFrom);
    const plain = await solveSpecText(problem, 20_000);
    expect(reduced.status).toBe(plain.status);
    if (reduced.status !== "sat" || plain.status !== "sat") return;
    expect([reduced.timedOut, plain.timedOut]).toEqual([false, false]);
    const sum = (percs: readonly number[]) => percs.reduce((a, b) => a + b, 0);
    expect([dailyCost(problem, reduced.percs), sum(reduced.percs)]).toEqual([dailyCost(problem, plain.percs), sum(plain.percs)]);
  }

  it("gives the optimum of the spec's text on random small sites", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(randomSite, (site) => expectSpecOptimum(randomProblem(site, false))),
      { numRuns: 30, seed: 20260102 },
    );
  });

  it("gives the optimum of the spec's text on random small sites with a hub, conditioned on it", { timeout: 60_000 }, async () => {
    let conditioned = 0;
    await fc.assert(
      fc.asyncProperty(randomSite, async (site) => {
        const problem = randomProblem(site, true);
        if (splitProblem(problem).some((part) => conditionPart(problem, part, 4) !== undefined)) conditioned++;
        // every part is conditioned when it can be
        await expectSpecOptimum(problem, 1);
      }),
      { numRuns: 30, seed: 20261126 },
    );
    // the property is not vacuous: most of these sites are cut by their hub
    expect(conditioned).toBeGreaterThanOrEqual(15);
  });
});
