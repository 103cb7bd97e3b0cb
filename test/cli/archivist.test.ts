// `ramen archivist` end to end on a temporary state directory: the shared
// test vectors through the command, and its errors.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO, daemonForTests, ramen, tempDir } from "./run-ramen.js";

const CASES = path.resolve(REPO, "../shared/archivist-cases");

interface Case {
  config: unknown;
  stats: unknown;
  expected_allocs: Record<string, number>;
}

describe("ramen archivist", () => {
  let work: { dir: string; cleanup: () => void };
  beforeEach(() => {
    work = tempDir();
    mkdirSync(path.join(work.dir, "archivist/v1/stats"), { recursive: true });
  });
  afterEach(() => work.cleanup());

  function install(c: Case): void {
    writeFileSync(path.join(work.dir, "archivist/v1/config.json"), JSON.stringify(c.config));
    writeFileSync(path.join(work.dir, "archivist/v1/stats/local.json"), JSON.stringify(c.stats));
  }

  it.each(["tee_prefer_children", "tee_prefer_root"])("computes the allocations of %s", (name) => {
    const c = JSON.parse(readFileSync(path.join(CASES, `${name}.json`), "utf8")) as Case;
    install(c);
    const r = ramen(["--persist-dir", work.dir, "--site", "local", "archivist", "--allocs"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const allocs = JSON.parse(readFileSync(path.join(work.dir, "archivist/v1/allocs/local.json"), "utf8")) as Record<string, number>;
    expect(allocs).toEqual(c.expected_allocs);
    for (const [fq, bytes] of Object.entries(c.expected_allocs)) expect(r.stdout).toContain(`${fq}: ${bytes} bytes`);
    expect(readFileSync(path.join(work.dir, "archivist/v1/allocations.smt2"), "utf8")).toMatch(/^\(set-option :produce-models true\)/);
  });

  it("prints the problem with --smt2 and writes nothing with --dry-run", () => {
    install(JSON.parse(readFileSync(path.join(CASES, "tee_prefer_children.json"), "utf8")) as Case);
    const r = ramen(["--persist-dir", work.dir, "--site", "local", "archivist", "--smt2", "--dry-run"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("(assert (= cost_0_0 (ite (>= perc_0 15) 1 (+ 6 cost_2_0))))");
    expect(() => readFileSync(path.join(work.dir, "archivist/v1/allocs/local.json"))).toThrow();
  });

  it("needs something to do", () => {
    const r = ramen(["--persist-dir", work.dir, "archivist"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Nothing to do");
  });

  it("names the bad key of a configuration file", () => {
    writeFileSync(path.join(work.dir, "archivist/v1/config.json"), '{"size_limit": 1000, "retention": {}}');
    const r = ramen(["--persist-dir", work.dir, "--site", "local", "archivist", "--allocs"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("config.json");
    expect(r.stderr).toContain('"retention"');
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });
});

describe("ramen archivist on running programs", () => {
  const { dir, env } = daemonForTests();

  it("takes retentions from PERSIST FOR clauses, parameters at the running values", () => {
    writeFileSync(
      path.join(dir, "p.ramen"),
      [
        "PARAMETER retain_for DEFAULTS TO 30min;",
        "DEFINE src PERSIST FOR 2h AS YIELD 1 AS n EVERY 1s;",
        "DEFINE kept PERSIST FOR retain_for QUERYING EVERY 1h AS FROM src SELECT n + 1 AS m;",
        "DEFINE plain AS FROM src SELECT n;",
      ].join("\n") + "\n",
    );
    expect(ramen(["run", "-p", "retain_for=9000", "p.ramen"], { env, cwd: dir }).status).toBe(0);
    const r = ramen(["--site", "local", "archivist", "--stats", "--smt2"], { env });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    // stdout is the SMT2 text only
    expect(r.stdout).toMatch(/^; Archive allocations of site local, generated /);
    const header = r.stdout.split("\n").filter((l) => l.startsWith("; "));
    expect(header).toContain("; D: 0 = 7200 s  1 = 9000 s");
    // without statistics yet, rates are the defaults: rs 100 B/s, cc 0.5 CPU-s/s
    expect(header.slice(-3)).toEqual([
      "; 0 = local:p/kept  rs = 100.000 B/s  cc = 0.500000 CPU-s/s  retention = 9000 s every 3600 s (persist)",
      "; 1 = local:p/plain  rs = 100.000 B/s  cc = 0.500000 CPU-s/s  retention = none",
      "; 2 = local:p/src  rs = 100.000 B/s  cc = 0.500000 CPU-s/s  retention = 7200 s every 600 s (persist)",
    ]);
    // p/src (no parent) must archive its 2 h: need = ceil(7200 × 100 × 100 / 2^30) = 1
    const allocs = JSON.parse(readFileSync(path.join(env.RAMEN_DIR, "archivist/v1/allocs/local.json"), "utf8")) as Record<string, number>;
    expect(allocs["p/src"]).toBeGreaterThan(0);
    expect(allocs["p/plain"]).toBe(0);
  });
});
