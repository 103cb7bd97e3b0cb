// Building the allocation problem (archival.md §4.3–4.5) without solving it:
// inclusion, indices, retentions, constants and the emitted text.

import { describe, expect, it } from "vitest";
import { parseConfig } from "../../runtime/archivist/config.js";
import { emitSmt2, formulate, selectFunctions } from "../../runtime/archivist/smt2.js";
import type { ProblemInput } from "../../runtime/archivist/smt2.js";
import { parseSiteStats } from "../../runtime/archivist/stats.js";
import type { Retention } from "../../runtime/archivist/config.js";

function input(
  config: unknown,
  stats: Record<string, unknown>,
  persistRetentions?: ReadonlyMap<string, Retention>,
): ProblemInput {
  return {
    config: parseConfig(config, "config.json"),
    stats: parseSiteStats(stats, "stats.json"),
    site: "local",
    persistRetentions,
  };
}

const fn = (parents: string[], isRunning = true, bytes = 600_000, cpu = 1) => ({
  parents,
  is_running: isRunning,
  min_etime: 0,
  max_etime: 600,
  bytes,
  cpu,
});

const bodyLines = (text: string) => text.trimEnd().split("\n").filter((l) => !l.startsWith(";"));

describe("functions taking part (§4.3.1)", () => {
  it("running functions and all their ancestors, indexed by the byte order of site:fq", () => {
    const selection = selectFunctions(
      input({}, {
        b: fn(["a/x"]),
        "a/x": fn(["B"], false),
        B: fn([], false),
        a: fn([], false), // neither running nor an ancestor of a running function
        c: fn(["other:q/f", "local:B"]),
      }),
    );
    expect(selection.functions.map((f) => f.name)).toEqual(["local:B", "local:a/x", "local:b", "local:c", "other:q/f"]);
    expect(selection.functions.map((f) => f.parents)).toEqual([[], [0], [1], [0, 4], []]);
    expect(selection.warnings.map((w) => w.message)).toEqual([
      "other:q/f has no statistics (parent of local:c); assuming it emits nothing",
    ]);
    const ghost = selection.functions[4]!;
    expect([ghost.recallSize, ghost.computeCost, ghost.stats.bytes]).toEqual([100, 0.5, 0]);
  });

  it("no stats: no function", () => {
    const { problem } = formulate(selectFunctions(input({}, {})), parseConfig({}, "c"));
    expect(problem.functions).toEqual([]);
    expect(bodyLines(emitSmt2(problem, new Date(0)))).toEqual([
      "(assert (<= (+ 0) 100))",
      "(minimize (+ 0))",
      "(minimize (+ 0))",
    ]);
  });
});

describe("retentions (§4.3.2, §4.3.3)", () => {
  const stats = { "p/root": fn([]), "p/a": fn(["p/root"]), "p/b": fn(["p/root"]), "p/c": fn(["p/root"]) };
  const persist = new Map([
    ["p/a", { duration: 60, period: 10 }],
    ["p/b", { duration: 120, period: 600 }],
  ]);

  it("the configuration first, then PERSIST FOR, else none", () => {
    const selection = selectFunctions(input({ retentions: { "p/a": { duration: 7200 } } }, stats, persist));
    const byName = Object.fromEntries(selection.functions.map((f) => [f.fq, [f.retention, f.retentionSource]]));
    expect(byName).toEqual({
      "p/a": [{ duration: 7200, period: 600 }, "config"],
      "p/b": [{ duration: 120, period: 600 }, "persist"],
      "p/c": [undefined, undefined],
      "p/root": [undefined, undefined],
    });
  });

  it("without any configured retention, functions without parents get one hour", () => {
    const selection = selectFunctions(input({}, stats, persist));
    const byName = Object.fromEntries(selection.functions.map((f) => [f.fq, f.retentionSource]));
    expect(byName).toEqual({ "p/a": "persist", "p/b": "persist", "p/c": undefined, "p/root": "default" });
    expect(selection.functions.find((f) => f.fq === "p/root")!.retention).toEqual({ duration: 3600, period: 600 });
  });
});

describe("constants (§4.4)", () => {
  it("the table of the worked example", () => {
    const config = { size_limit: 4_000_000, retentions: { "children/*": { duration: 3600 } } };
    const stats = {
      root: fn([], true, 600_000),
      "children/a": fn(["root"], true, 100_000),
      "children/b": fn(["root"], true, 200_000),
    };
    const selection = selectFunctions(input(config, stats));
    const { problem, errors } = formulate(selection, parseConfig(config, "c"));
    expect(errors).toEqual([]);
    expect(problem.durations).toEqual([3600]);
    expect(problem.constants.map((c) => [c.need[0], c.recall[0], c.recompute[0], c.retained, c.queriesPerDay])).toEqual([
      [15, 1, 6, 0, 144],
      [30, 2, 6, 0, 144],
      [90, 4, 6, undefined, 0],
    ]);
  });

  it("queries per day: ceil(86400 / max(1, period))", () => {
    const config = {
      retentions: { "p/a": { duration: 10, period: 0 }, "p/b": { duration: 10, period: 7 }, "p/c": { duration: 10, period: 86400 * 2 } },
    };
    const selection = selectFunctions(input(config, { "p/a": fn([]), "p/b": fn([]), "p/c": fn([]) }));
    const { problem } = formulate(selection, parseConfig(config, "c"));
    expect(problem.constants.map((c) => c.queriesPerDay)).toEqual([86400, 12343, 1]);
  });

  it("several durations, sorted, each function's cost at its own", () => {
    const config = { size_limit: 1e9, retentions: { "p/a": { duration: 86400 }, "p/b": { duration: 60 }, "p/c": { duration: 86400 } } };
    const stats = { "p/a": fn(["p/s"]), "p/b": fn(["p/s"]), "p/c": fn(["p/s"]), "p/s": fn([]) };
    const { problem } = formulate(selectFunctions(input(config, stats)), parseConfig(config, "c"));
    expect(problem.durations).toEqual([60, 86400]);
    const text = bodyLines(emitSmt2(problem, new Date(0)));
    expect(text[0]).toBe("(declare-const perc_0 Int) (assert (<= 0 perc_0 100)) (declare-const cost_0_0 Int) (declare-const cost_0_1 Int)");
    // rs 1000: need = ceil(60 × 1000 × 100 / 1e9) = 1 and ceil(86400 × 1000 × 100 / 1e9) = 9;
    // R = ceil(1e-6 × 1000 × 60) = 1 and 87; K = ceil(60 / 600) = 1 and 144
    expect(text).toContain("(assert (= cost_0_0 (ite (>= perc_0 1) 1 (+ 1 cost_3_0))))");
    expect(text).toContain("(assert (= cost_0_1 (ite (>= perc_0 9) 87 (+ 144 cost_3_1))))");
    expect(text.slice(-5)).toEqual([
      "(assert (< cost_0_1 99999999999999999999))",
      "(assert (< cost_1_0 99999999999999999999))",
      "(assert (< cost_2_1 99999999999999999999))",
      "(minimize (+ 0 (* 144 cost_0_1) (* 144 cost_1_0) (* 144 cost_2_1)))",
      "(minimize (+ 0 perc_0 perc_1 perc_2 perc_3))",
    ]);
  });

  it("retries multiply every retention, the default one included", () => {
    const config = parseConfig({}, "c");
    const { problem } = formulate(selectFunctions(input({}, { "p/s": fn([]) })), config, 0.25);
    expect(problem.durations).toEqual([900]);
    expect(emitSmt2(problem, new Date(0))).toContain("retentions multiplied by 0.25");
  });

  it("a cost with more digits than INVALID is reported", () => {
    // cc = 6e19 / 600 = 1e17 CPU-s per second: K = 1e17 × 3600 = 3.6e20, beyond 10^20 − 1
    const config = { retentions: { "p/f": { duration: 3600 } } };
    const stats = { "p/s": fn([]), "p/f": fn(["p/s"], true, 600, 6e19) };
    const { errors } = formulate(selectFunctions(input(config, stats)), parseConfig(config, "c"));
    expect(errors.map((e) => [e.key, e.message])).toEqual([
      ["archivistCostTooLarge", "recompute cost of local:p/f for 3600 s is 360000000000000000000, beyond the solver's INVALID cost: its allocation is meaningless"],
    ]);
  });
});

describe("the emitted text (§4.5)", () => {
  it("starts with a comment header naming every index", () => {
    const config = { size_limit: 4_000_000, retentions: { "children/*": { duration: 3600 } } };
    const stats = { root: fn([]), "children/a": fn(["root"]) };
    const { problem } = formulate(selectFunctions(input(config, stats)), parseConfig(config, "c"));
    const header = emitSmt2(problem, new Date(Date.UTC(2026, 0, 2, 3, 4, 5))).split("\n").filter((l) => l.startsWith(";"));
    expect(header).toEqual([
      "; Archive allocations of site local, generated 2026-01-02T03:04:05.000Z",
      "; size_limit = 4000000 bytes, recall_cost = 0.000001 CPU-s per byte",
      "; D: 0 = 3600 s",
      "; 0 = local:children/a  rs = 1000.00 B/s  cc = 0.00166667 CPU-s/s  retention = 3600 s every 600 s (config)",
      "; 1 = local:root  rs = 1000.00 B/s  cc = 0.00166667 CPU-s/s  retention = none",
    ]);
  });
});
