// `ramen archivist` end to end on a temporary state directory: the shared
// test vectors through the command, and its errors.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO, ramen, tempDir } from "./run-ramen.js";

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
