// A small part's whole frontier by exhaustive search (runtime/archivist/enumerate.ts),
// on the worked example of archival.md §4.9, figures by hand.

import { describe, expect, it } from "vitest";
import { parseConfig } from "../../runtime/archivist/config.js";
import { enumerateFrontier } from "../../runtime/archivist/enumerate.js";
import { splitProblem } from "../../runtime/archivist/reduced.js";
import { formulate, selectFunctions } from "../../runtime/archivist/smt2.js";
import { parseSiteStats } from "../../runtime/archivist/stats.js";
import type { RawStats } from "./reference.js";

const over600s = (parents: string[], bytes: number): RawStats => ({ parents, is_running: true, min_etime: 0, max_etime: 600, bytes, cpu: 1 });

/** §4.9: a (need 15, R 1, K 6), b (need 30, R 2, K 6), root (need 90, R 4, no parent); a and b retained, q = 144. */
function workedExample(sizeLimit: number) {
  const config = parseConfig({ size_limit: sizeLimit, retentions: { "children/*": { duration: 3600 } } }, "config.json");
  const stats = { root: over600s([], 600_000), "children/a": over600s(["root"], 100_000), "children/b": over600s(["root"], 200_000) };
  const { problem } = formulate(selectFunctions({ config, stats: parseSiteStats(stats, "stats.json"), site: "local" }), config);
  const [part] = splitProblem(problem);
  return { problem, part: part! };
}

describe("exhaustive frontier", () => {
  it("the least cost under every budget, with the least share at that cost", () => {
    const { problem, part } = workedExample(4_000_000);
    expect(problem.functions.map((f) => f.fq)).toEqual(["children/a", "children/b", "root"]);
    const points = enumerateFrontier(problem, part, 1000)!;
    expect(points).toHaveLength(101);
    // each child needs itself or the root archived: a + b (45 %) cost 144 × (1 + 2);
    // the root alone (90 %) 144 × (6 + 4 + 6 + 4), more share for more cost; a + root and b + root pass 100 %
    const children = { share: 45, dailyCost: 432n, percs: new Map([[2, 0], [0, 15], [1, 30]]) };
    expect(points.slice(0, 45)).toEqual(new Array(45).fill(null));
    for (const point of points.slice(45)) expect(point).toEqual(children);
  });

  it("no point below the least feasible share", () => {
    // with half the size limit, needs double: a 30, b 60, root 180 (never archived); a + b take 90 %
    const { problem, part } = workedExample(2_000_000);
    const points = enumerateFrontier(problem, part, 1000)!;
    expect(points[89]).toBeNull();
    expect(points[90]).toEqual({ share: 90, dailyCost: 432n, percs: new Map([[2, 0], [0, 30], [1, 60]]) });
  });

  it("gives up beyond its node budget", () => {
    const { problem, part } = workedExample(4_000_000);
    expect(enumerateFrontier(problem, part, 3)).toBeUndefined();
  });
});
