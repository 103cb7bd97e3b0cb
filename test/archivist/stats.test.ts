// Archivist statistics (archival.md §3): folding runtime records, derived
// rates, and the stats file.

import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { archivistPaths, refreshStats } from "../../runtime/archivist/index.js";
import {
  FunctionStats,
  RuntimeReport,
  computeCost,
  foldFunctionStats,
  parseSiteStats,
  readRuntimeReports,
  readSiteStats,
  recallSize,
  reportBytes,
  serializeSiteStats,
  writeSiteStats,
} from "../../runtime/archivist/stats.js";

function report(overrides: Partial<RuntimeReport> = {}): RuntimeReport {
  return {
    firstStartup: 100,
    minEtime: 0,
    maxEtime: 600,
    totOutTuples: 10,
    totFullBytes: 1000,
    totFullBytesSamples: 4,
    totCpu: 2,
    ...overrides,
  };
}

const running = { parents: ["p/src"], isRunning: true };

describe("folding runtime records", () => {
  it("bytes: sampled size per row times the rows, rounded; 0 without samples", () => {
    expect(reportBytes(report({ totFullBytes: 1000, totFullBytesSamples: 3, totOutTuples: 10 }))).toBe(3333);
    expect(reportBytes(report({ totFullBytes: 1000, totFullBytesSamples: 6, totOutTuples: 1 }))).toBe(167);
    expect(reportBytes(report({ totFullBytes: 0, totFullBytesSamples: 0 }))).toBe(0);
  });

  it("a first report makes the record", () => {
    expect(foldFunctionStats(undefined, report({ maxRam: 77 }), running)).toEqual({
      parents: ["p/src"],
      isRunning: true,
      startupTime: 100,
      minEtime: 0,
      maxEtime: 600,
      tuples: 10,
      bytes: 2500,
      cpu: 2,
      ram: 77,
    });
  });

  it("a later report of the same signature replaces its counters (they are cumulative)", () => {
    const first = foldFunctionStats(undefined, report(), running);
    const later = foldFunctionStats(first, report({ totOutTuples: 30, totFullBytes: 3000, totFullBytesSamples: 6, totCpu: 5 }), running);
    expect([later.tuples, later.bytes, later.cpu]).toEqual([30, 15000, 5]);
  });

  it("a new signature adds to the totals, and its later reports replace only its share", () => {
    const old = foldFunctionStats(undefined, report({ totOutTuples: 80, totFullBytes: 800, totFullBytesSamples: 80, totCpu: 8 }), running);
    const restarted = foldFunctionStats(
      old,
      report({ firstStartup: 200, totOutTuples: 10, totFullBytes: 20, totFullBytesSamples: 10, totCpu: 1 }),
      running,
    );
    expect([restarted.startupTime, restarted.tuples, restarted.bytes, restarted.cpu]).toEqual([200, 90, 820, 9]);
    const again = foldFunctionStats(
      restarted,
      report({ firstStartup: 200, totOutTuples: 30, totFullBytes: 60, totFullBytesSamples: 30, totCpu: 3 }),
      running,
    );
    expect([again.tuples, again.bytes, again.cpu]).toEqual([110, 860, 11]);
    // and the share survives a trip through the file
    const reread = parseSiteStats(JSON.parse(serializeSiteStats(new Map([["p/f", again]]))), "stats.json").get("p/f")!;
    const afterReread = foldFunctionStats(
      reread,
      report({ firstStartup: 200, totOutTuples: 40, totFullBytes: 80, totFullBytesSamples: 40, totCpu: 4 }),
      running,
    );
    expect([afterReread.tuples, afterReread.bytes, afterReread.cpu]).toEqual([120, 880, 12]);
  });

  it("event times: min of the mins, max of the maxes; null keeps what is known", () => {
    const first = foldFunctionStats(undefined, report({ minEtime: 10, maxEtime: 100 }), running);
    const second = foldFunctionStats(first, report({ firstStartup: 200, minEtime: 5, maxEtime: 50 }), running);
    expect([second.minEtime, second.maxEtime]).toEqual([5, 100]);
    const third = foldFunctionStats(second, report({ firstStartup: 300, minEtime: null, maxEtime: null }), running);
    expect([third.minEtime, third.maxEtime]).toEqual([5, 100]);
    const none = foldFunctionStats(undefined, report({ minEtime: null, maxEtime: null }), running);
    expect("minEtime" in none || "maxEtime" in none).toBe(false);
  });

  it("running configuration: parents and is_running; a function that left it is kept, stopped", () => {
    const record = foldFunctionStats(undefined, report(), running);
    const stopped = foldFunctionStats(record, undefined, undefined);
    expect(stopped).toEqual({ ...record, isRunning: false });
    const moved = foldFunctionStats(record, undefined, { parents: ["other:q/g"], isRunning: true });
    expect(moved.parents).toEqual(["other:q/g"]);
  });

  it("gc's archive summary fills the archive fields", () => {
    const folded = foldFunctionStats(undefined, undefined, running, {
      times: [[0, 10, false], [20, 30, true]],
      numFiles: 3,
      numBytes: 4096,
    });
    expect(folded).toMatchObject({ archives: [[0, 10, false], [20, 30, true]], numArcFiles: 3, numArcBytes: 4096 });
  });
});

describe("derived rates", () => {
  const base: FunctionStats = { parents: [], isRunning: true, tuples: 0, bytes: 6000, cpu: 3 };
  it("per second of event time", () => {
    expect(recallSize({ ...base, minEtime: 100, maxEtime: 400 })).toBe(20);
    expect(computeCost({ ...base, minEtime: 100, maxEtime: 400 })).toBe(0.01);
  });
  it("defaults 100 B/s and 0.5 when the span is unknown or not positive", () => {
    for (const s of [base, { ...base, minEtime: 5 }, { ...base, minEtime: 5, maxEtime: 5 }, { ...base, minEtime: 9, maxEtime: 5 }]) {
      expect([recallSize(s), computeCost(s)]).toEqual([100, 0.5]);
    }
  });
});

describe("the stats file", () => {
  const dir = mkdtempSync(join(tmpdir(), "ramen-archivist-stats-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the example of §3.3, ignoring unknown keys and defaulting absent counters", () => {
    const stats = parseSiteStats(
      {
        root: { parents: [], is_running: true, startup_time: 1552130000, min_etime: 0, max_etime: 600, tuples: 6000, bytes: 600000, cpu: 1, colour: "blue" },
        "children/a": { parents: ["root"], is_running: false },
      },
      "stats.json",
    );
    expect(stats.get("root")).toEqual({
      parents: [],
      isRunning: true,
      startupTime: 1552130000,
      minEtime: 0,
      maxEtime: 600,
      tuples: 6000,
      bytes: 600000,
      cpu: 1,
    });
    expect(stats.get("children/a")).toEqual({ parents: ["root"], isRunning: false, tuples: 0, bytes: 0, cpu: 0 });
  });

  it("rejects a record of the wrong shape", () => {
    expect(() => parseSiteStats({ f: { parents: "root", is_running: true } }, "stats.json")).toThrow(
      'stats.json: parents of f must be an array of strings, got "root"',
    );
    expect(() => parseSiteStats({ f: { parents: [], is_running: true, bytes: "1" } }, "stats.json")).toThrow(
      'stats.json: bytes of f must be a number, got "1"',
    );
  });

  it("writes atomically with snake_case keys, omitting absent optional keys, and reads back", () => {
    const path = join(dir, "archivist", "v1", "stats", "local.json");
    const stats = new Map<string, FunctionStats>([
      ["z/f", { parents: ["a/g"], isRunning: true, tuples: 1, bytes: 2, cpu: 0.5, ram: 9, numArcFiles: 1, numArcBytes: 10, archives: [[0, 1, true]] }],
      ["a/g", { parents: [], isRunning: false, startupTime: 3, minEtime: 1, maxEtime: 2, tuples: 0, bytes: 0, cpu: 0 }],
    ]);
    writeSiteStats(path, stats);
    expect(readdirSync(dirname(path))).toEqual(["local.json"]);
    const json = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(["a/g", "z/f"]);
    expect(json["z/f"]).toEqual({
      parents: ["a/g"], is_running: true, tuples: 1, bytes: 2, cpu: 0.5, ram: 9, archives: [[0, 1, true]], num_arc_files: 1, num_arc_bytes: 10,
    });
    expect(readSiteStats(path)).toEqual(stats);
  });

  it("reads runtime records of programs spanning directories, and refreshes the stats file", () => {
    const stateDir = join(dir, "state");
    const save = (path: string, content: unknown) => {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, JSON.stringify(content));
    };
    const record = {
      stats_time: 1, first_startup: 50, last_startup: 60, min_etime: 0, max_etime: 100, tot_in_tuples: 4,
      tot_out_tuples: 8, tot_full_bytes: 64, tot_full_bytes_samples: 8, tot_cpu: 0.25, tot_cpu_replay: 9, max_ram: 1024,
    };
    save(join(stateDir, "stats", "v1", "deep", "prog#x", "f.json"), record);
    save(join(stateDir, "stats", "v1", "top", "g.json"), { ...record, min_etime: null, max_etime: null });
    const reports = readRuntimeReports(join(stateDir, "stats", "v1"));
    expect([...reports.keys()].sort()).toEqual(["deep/prog#x/f", "top/g"]);
    expect(reports.get("top/g")).toMatchObject({ minEtime: null, maxEtime: null, totOutTuples: 8 });

    const stats = refreshStats(stateDir, "local", new Map([["deep/prog#x/f", { parents: ["top/g"], isRunning: true }]]));
    expect(stats.get("deep/prog#x/f")).toEqual({
      parents: ["top/g"], isRunning: true, startupTime: 50, minEtime: 0, maxEtime: 100, tuples: 8, bytes: 64, cpu: 0.25, ram: 1024,
    });
    expect(stats.get("top/g")).toMatchObject({ isRunning: false, tuples: 8 });
    expect(readSiteStats(archivistPaths(stateDir, "local").stats)).toEqual(stats);
  });
});
