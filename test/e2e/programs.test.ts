// Every `.test` file of test/programs/ and examples/ must pass through the
// real command, `ramen test FILE`, as a user runs it. Their expected values
// were computed by hand from the data (each file's comment says how).

import { execFile } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { REPO } from "../cli/run-ramen.js";

const run = promisify(execFile);

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return testFiles(p);
    return name.endsWith(".test") ? [p] : [];
  });
}

const FILES = [...testFiles(path.join(REPO, "test/programs")), ...testFiles(path.join(REPO, "examples"))].map((f) => path.relative(REPO, f)).sort();

describe("ramen test on every .test file", () => {
  it("finds the test files", () => {
    expect(FILES.length).toBeGreaterThanOrEqual(40);
  });

  it.concurrent.each(FILES)("%s passes", async (file) => {
    const r = await run(process.execPath, [path.join(REPO, "dist/cli/main.js"), "test", file], {
      cwd: REPO,
      env: { ...process.env, RAMEN_DONT_LOG_TIME: "1" },
      timeout: 120_000,
    }).catch((e: { stdout: string; stderr: string; code: number }) => e);
    // Bad input lines and skipped tuples are logged on stderr; nothing may crash.
    expect(r.stderr).not.toMatch(/crashed|Internal error|FAILURE/);
    expect(r.stdout).toContain(`Test ${path.basename(file, ".test")}: Success`);
  });
});
