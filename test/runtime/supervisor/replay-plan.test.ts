// The replay planner against the cases of archival.md §6.2.

import { describe, expect, it } from "vitest";
import type { ArchiveRange } from "../../../runtime/archivist/stats.js";
import { linkKey, planReplay } from "../../../runtime/supervisor/replay-plan.js";

function graph(parents: Record<string, string[]>, coverage: Record<string, [number, number][]>, bestAfter: Record<string, number> = {}) {
  return {
    parents: (fq: string) => parents[fq] ?? [],
    coverage: (fq: string): ArchiveRange[] => (coverage[fq] ?? []).map(([a, b]) => [a, b, false] as const),
    bestAfter: (fq: string) => bestAfter[fq] ?? 0,
  };
}

describe("planReplay", () => {
  it("takes the archived parents of an unarchived parent (the seed example)", () => {
    const g = graph({ Q1: ["Q2"], Q2: ["Q3", "Q4"] }, { Q3: [[0, 100]], Q4: [[0, 100]] });
    const plan = planReplay(g, "Q1", 10, 20)!;
    expect([...plan.sources].sort()).toEqual(["Q3", "Q4"]);
    expect([...plan.links].sort()).toEqual([linkKey("Q2", "Q1"), linkKey("Q3", "Q2"), linkKey("Q4", "Q2")].sort());
    expect(plan.coverage).toBe(1);
  });

  it("uses the target's own archive when it covers as much as the alternatives", () => {
    const g = graph({ T: ["P"] }, { T: [[0, 100]], P: [[0, 100]] });
    const plan = planReplay(g, "T", 10, 20)!;
    expect([...plan.sources]).toEqual(["T"]);
    expect(plan.links.size).toBe(0);
  });

  it("prefers a parent covering the whole range to an own archive with a real gap", () => {
    // Own archive: 50 % of the range, cost ln 2 / 0.5 = 1.39; parent: all of it, cost ln 3 = 1.10.
    const g = graph({ T: ["P"] }, { T: [[10, 15]], P: [[0, 100]] });
    expect([...planReplay(g, "T", 10, 20)!.sources]).toEqual(["P"]);
  });

  it("prefers a short path missing a little at the end to a long complete one", () => {
    // T's parent P covers 90 % (cost ln 3 / 0.9 = 1.22); the grandparent G covers it all through two links (ln 4 = 1.39).
    const g = graph({ T: ["P"], P: ["G"] }, { P: [[0, 19]], G: [[0, 100]] });
    const plan = planReplay(g, "T", 10, 20)!;
    expect([...plan.sources]).toEqual(["P"]);
    expect(plan.coverage).toBeCloseTo(0.9);
  });

  it("reaches back BEST AFTER seconds earlier in the parents", () => {
    const g = graph({ T: ["P"] }, { P: [[0, 100]] }, { T: 5 });
    expect(planReplay(g, "T", 10, 20)!.covered).toEqual([[5, 20]]);
  });

  it("finds nothing when no archive covers the range, and survives cycles", () => {
    expect(planReplay(graph({ T: ["P"] }, { P: [[50, 60]] }), "T", 10, 20)).toBeUndefined();
    expect(planReplay(graph({ A: ["B"], B: ["A"] }, {}), "A", 0, 1)).toBeUndefined();
  });
});
