// The archivist end to end through the real Z3 (one WebAssembly instance for
// the whole file): the shared test vectors, the worked example of
// archival.md §4.9, and cases checked against a brute-force reference.

import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { allocate, archivistPaths, computeAllocations, parseConfig, parseSiteStats } from "../../runtime/archivist/index.js";
import type { AllocationResult, Allocations } from "../../runtime/archivist/index.js";
import { RawConfig, RawStats, referenceAllocations } from "./reference.js";

const casesDir = join(dirname(fileURLToPath(import.meta.url)), "cases");

interface Vector {
  config: RawConfig;
  stats: Record<string, RawStats>;
  expected_allocs: Record<string, number>;
}

function run(config: RawConfig, stats: Record<string, RawStats>, extra: { previous?: Allocations } = {}) {
  return computeAllocations({
    config: parseConfig(config, "config.json"),
    stats: parseSiteStats(stats, "stats.json"),
    site: "local",
    now: new Date(0),
    ...extra,
  });
}

function solved(result: AllocationResult) {
  if (result.kind !== "solved") throw new Error(`unsatisfiable: ${result.diagnostics.map((d) => d.message).join("; ")}`);
  return result;
}

/** Stats of a function over 600 s of event time. */
function over600s(parents: string[], bytes: number, cpu = 1, isRunning = true): RawStats {
  return { parents, is_running: isRunning, min_etime: 0, max_etime: 600, bytes, cpu };
}

describe("test vectors (archival.md §3.4)", () => {
  for (const file of readdirSync(casesDir).filter((f) => f.endsWith(".json")).sort()) {
    const vector = JSON.parse(readFileSync(join(casesDir, file), "utf8")) as Vector;
    it(file, async () => {
      const result = solved(await run(vector.config, vector.stats));
      expect(result.allocations).toEqual(vector.expected_allocs);
      expect(Object.keys(result.allocations)).toEqual(Object.keys(vector.expected_allocs).sort());
      // the reference search agrees, which validates it for the cases below
      expect(referenceAllocations(vector.config, vector.stats)).toEqual(vector.expected_allocs);
    });
    it(`${file} with recall_cost 0`, async () => {
      const result = solved(await run({ ...vector.config, recall_cost: 0 }, vector.stats));
      expect(result.allocations).toEqual(vector.expected_allocs);
    });
  }
});

describe("the worked example (archival.md §4.9)", () => {
  const expectedBody = `(declare-const perc_0 Int) (assert (<= 0 perc_0 100)) (declare-const cost_0_0 Int)
(declare-const perc_1 Int) (assert (<= 0 perc_1 100)) (declare-const cost_1_0 Int)
(declare-const perc_2 Int) (assert (<= 0 perc_2 100)) (declare-const cost_2_0 Int)
(assert (<= (+ 0 perc_0 perc_1 perc_2) 100))
(assert (= cost_0_0 (ite (>= perc_0 15) 1 (+ 6 cost_2_0))))
(assert (= cost_1_0 (ite (>= perc_1 30) 2 (+ 6 cost_2_0))))
(assert (= cost_2_0 (ite (>= perc_2 90) 4 99999999999999999999)))
(assert (< cost_0_0 99999999999999999999))
(assert (< cost_1_0 99999999999999999999))
(minimize (+ 0 (* 144 cost_0_0) (* 144 cost_1_0)))
(minimize (+ 0 perc_0 perc_1 perc_2))`.split("\n");

  it("emits the SMT2 of the spec, line by line after the comment header", async () => {
    const vector = JSON.parse(readFileSync(join(casesDir, "tee_prefer_children.json"), "utf8")) as Vector;
    const result = solved(await run(vector.config, vector.stats));
    const lines = result.smt2.trimEnd().split("\n");
    const header = lines.filter((l) => l.startsWith(";"));
    expect(lines.slice(0, header.length)).toEqual(header);
    expect(lines.slice(header.length)).toEqual(expectedBody);
    for (const name of ["0 = local:children/a", "1 = local:children/b", "2 = local:root", "0 = 3600 s"]) {
      expect(header.join("\n")).toContain(name);
    }
  });
});

describe("own cases", () => {
  it("a chain of 5: the small ancestor is archived for the function too big to archive", async () => {
    // s → a → b → c → d; size_limit 1e7 so need = ceil(rs × 0.036); R = ceil(rs × 0.0036); K = 6.
    // d (rs 50000) needs 1800 %: never archived. c: need 36, R 4. b: need 18, R 2.
    // Archive b and c: daily 144 × ((6 + 4) + 2) = 1728, the minimum (b alone: 144 × (14 + 2)).
    const config = { size_limit: 1e7, retentions: { "chain/d": { duration: 3600 }, "chain/b": { duration: 3600 } } };
    const stats = {
      "chain/s": over600s([], 3_000_000),
      "chain/a": over600s(["chain/s"], 3_000_000),
      "chain/b": over600s(["chain/a"], 300_000),
      "chain/c": over600s(["chain/b"], 600_000),
      "chain/d": over600s(["chain/c"], 30_000_000),
    };
    const expected = { "chain/a": 0, "chain/b": 3333333, "chain/c": 6666667, "chain/d": 0, "chain/s": 0 };
    expect(referenceAllocations(config, stats)).toEqual(expected);
    expect(solved(await run(config, stats)).allocations).toEqual(expected);
  });

  it("a diamond: recomputing the join costs both branches", async () => {
    // s → l → j, s → r → j; retention on j (need 1800 %: never archived). Budget 100 %:
    // l (36 %, R 4), r (72 %, R 8), s (54 %, R 6); every K = 6.
    // s alone: 6 + (6 + 6) + (6 + 6) = 30; l + s: 6 + 4 + (6 + 6) = 22; l + r: 108 % does not fit.
    const config = { size_limit: 1e7, retentions: { "d/j": { duration: 3600 } } };
    const stats = {
      "d/s": over600s([], 900_000),
      "d/l": over600s(["d/s"], 600_000),
      "d/r": over600s(["d/s"], 1_200_000),
      "d/j": over600s(["d/l", "d/r"], 30_000_000),
    };
    const expected = { "d/j": 0, "d/l": 4000000, "d/r": 0, "d/s": 6000000 };
    expect(referenceAllocations(config, stats)).toEqual(expected);
    const result = solved(await run(config, stats));
    expect(result.allocations).toEqual(expected);
    expect(result.smt2).toContain("(assert (= cost_0_0 (ite (>= perc_0 1800) 180 (+ 6 cost_1_0 cost_2_0))))");
  });

  it("a parent without statistics takes part with default rates and a warning", async () => {
    // x/ghost has no record: rs 100, need = ceil(3600 × 100 × 100 / 1e6) = 36; the child cannot fit.
    const config = { size_limit: 1e6, retentions: { "x/child": { duration: 3600 } } };
    const stats = { "x/child": over600s(["x/ghost"], 60_000_000) };
    const result = solved(await run(config, stats));
    expect(result.allocations).toEqual({ "x/child": 0, "x/ghost": 1000000 });
    expect(referenceAllocations(config, stats)).toEqual(result.allocations);
    expect(result.diagnostics.map((d) => d.key)).toEqual(["archivistMissingStats"]);
    expect(result.diagnostics[0]!.message).toContain("local:x/ghost");
  });

  it("a budget too small for the retention: retries with halved retentions", async () => {
    // rs 1000, size_limit 1e6: need = 360 % at 3600 s, 180 % at 1800 s, 90 % at 900 s.
    const config = { size_limit: 1e6, retentions: { f: { duration: 3600 } } };
    const result = solved(await run(config, { f: over600s([], 600_000) }));
    expect(result.allocations).toEqual({ f: 1000000 });
    expect(result.diagnostics.map((d) => [d.key, d.message])).toEqual([
      ["archivistRetry", "cannot satisfy archival constraints; retrying with retentions multiplied by 0.5"],
      ["archivistRetry", "cannot satisfy archival constraints; retrying with retentions multiplied by 0.25"],
    ]);
    expect(result.problem.durations).toEqual([900]);
    expect(result.smt2).toContain("(>= perc_0 90)");
  });

  it("a budget too small even for a thousandth of the retention: the final error", async () => {
    // rs 150000: at the last ratio 0.5^9, need = ceil(3600 × 0.5^9 × 150000 × 100 / 1e6) = 106 %.
    const config = { size_limit: 1e6, retentions: { f: { duration: 3600 } } };
    const result = await run(config, { f: over600s([], 90_000_000) });
    expect(result.kind).toBe("unsatisfiable");
    const keys = result.diagnostics.map((d) => d.key);
    expect(keys).toEqual([...Array<string>(9).fill("archivistRetry"), "archivistUnsatisfiable"]);
    expect(result.diagnostics[8]!.message).toContain(String(0.5 ** 9));
    expect(result.diagnostics[9]!.message).toBe(
      "Cannot satisfy archival constraints: reduce retentions or raise size_limit",
    );
  });

  it("shares of 0 everywhere: running functions with a configured retention share the budget", async () => {
    // f and g emit nothing yet (bytes 0 over a known span): need 0, so every perc is 0.
    const config = { size_limit: 1000, retentions: { "p/f": { duration: 60 }, "p/g": { duration: 60 }, "p/h": { duration: 0 } } };
    const stats = {
      "p/f": over600s([], 0),
      "p/g": over600s([], 0),
      "p/h": over600s([], 0),
      "p/i": over600s([], 0),
    };
    const result = solved(await run(config, stats));
    expect(result.allocations).toEqual({ "p/f": 500, "p/g": 500, "p/h": 0, "p/i": 0 });
    expect(referenceAllocations(config, stats)).toEqual(result.allocations);
  });

  it("PERSIST FOR retentions apply after the configuration's", async () => {
    // two roots, rs 1000 each, size_limit 1e7: 3600 s need 36 %, 1800 s need 18 %.
    const config = parseConfig({ size_limit: 1e7, retentions: { "p/a": { duration: 3600 } } }, "config.json");
    const stats = parseSiteStats({ "p/a": over600s([], 600_000), "p/b": over600s([], 600_000) }, "stats.json");
    const persistRetentions = new Map([
      ["p/a", { duration: 60, period: 600 }],
      ["p/b", { duration: 1800, period: 600 }],
    ]);
    const result = solved(await computeAllocations({ config, stats, site: "local", persistRetentions }));
    expect(result.problem.durations).toEqual([1800, 3600]);
    // a: 36 of 54 %, b: 18 of 54 %
    expect(result.allocations).toEqual({ "p/a": 6666667, "p/b": 3333333 });
  });

  it("warns when an allocation moves by more than half", async () => {
    const vector = JSON.parse(readFileSync(join(casesDir, "tee_prefer_children.json"), "utf8")) as Vector;
    // root 0 → 0; a 1333333 from 1000000 (25 %): quiet; b 2666667 from 1000000 (62.5 %): warned
    const previous = { root: 0, "children/a": 1000000, "children/b": 1000000, gone: 5 };
    const result = solved(await run(vector.config, vector.stats, { previous }));
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      "allocation of children/b changes by more than 50 %: 1000000 -> 2666667 bytes",
    ]);
    expect(result.allocations).not.toHaveProperty("gone");
  });
});

describe("on the files of a state directory", () => {
  const stateDir = mkdtempSync(join(tmpdir(), "ramen-archivist-"));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));
  const paths = archivistPaths(stateDir, "local");
  const write = (path: string, content: unknown) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(content));
  };

  it("writes the SMT2 script and the allocations", async () => {
    const vector = JSON.parse(readFileSync(join(casesDir, "tee_prefer_children.json"), "utf8")) as Vector;
    write(paths.config, vector.config);
    write(paths.stats, vector.stats);
    write(paths.allocs, { old: 12 });
    const result = solved(await allocate(stateDir, "local"));
    expect(result.allocations).toEqual(vector.expected_allocs);
    expect(readFileSync(paths.allocs, "utf8")).toBe(
      '{\n  "children/a": 1333333,\n  "children/b": 2666667,\n  "root": 0\n}\n',
    );
    const script = readFileSync(paths.smt2, "utf8").trimEnd().split("\n");
    expect(script[0]).toBe("(set-option :produce-models true)");
    expect(script.slice(-2)).toEqual(["(check-sat)", "(get-model)"]);
    expect(script).toContain("(minimize (+ 0 (* 144 cost_0_0) (* 144 cost_1_0)))");
  });

  it("keeps the previous allocations when unsatisfiable, and ends with the error", async () => {
    write(paths.config, { size_limit: 1e6, retentions: { f: { duration: 3600 } } });
    write(paths.stats, { f: over600s([], 90_000_000) });
    const before = readFileSync(paths.allocs, "utf8");
    const result = await allocate(stateDir, "local");
    expect(result.kind).toBe("unsatisfiable");
    expect(result.diagnostics[result.diagnostics.length - 1]!.key).toBe("archivistUnsatisfiable");
    expect(readFileSync(paths.allocs, "utf8")).toBe(before);
    expect(readFileSync(paths.smt2, "utf8")).toContain("retentions multiplied by 0.001953125");
  });

  it("writes nothing in dry-run mode", async () => {
    const other = mkdtempSync(join(tmpdir(), "ramen-archivist-dry-"));
    try {
      const result = solved(await allocate(other, "local", { dryRun: true }));
      expect(result.allocations).toEqual({});
      expect(existsSync(join(other, "archivist"))).toBe(false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
