// `ramen gc` from the command line (cli-runtime.md §6.13, archival.md §5.4):
// the archive of a function that no longer exists is trimmed as with an
// allocation of 0 (archived files go, the current file stays), then removed
// whole once its grace period is over; with --dry-run files are only named.

import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ramen, startDaemon, stopProcess, tempDir, until } from "./run-ramen.js";

describe("ramen gc", () => {
  it("trims, then removes, the archive of a function gone from the running configuration", () => {
    const { dir, cleanup } = tempDir();
    try {
      const archive = path.join(dir, "archives", "v1", "here", "old", "prog", "f", "0123456789abcdef");
      mkdirSync(path.join(archive, "arc"), { recursive: true });
      const sealed = path.join(archive, "arc", "0000000000000000_0000000000000010_1000000_2000000.arrow");
      const current = path.join(archive, "current.arrow");
      writeFileSync(sealed, "x".repeat(100));
      writeFileSync(current, "y".repeat(10));
      const env = { RAMEN_DIR: dir };
      const trim = ramen(["--site", "here", "gc"], { env });
      expect(trim.status).toBe(0);
      expect(trim.stdout).toContain("gc: deleted archives/v1/here/old/prog/f/0123456789abcdef/arc/0000000000000000_0000000000000010_1000000_2000000.arrow (100 bytes)");
      expect(existsSync(sealed)).toBe(false);
      expect(existsSync(current)).toBe(true);
      const dry = ramen(["--site", "here", "gc", "--dry-run", "--grace", "0"], { env });
      expect(dry.stdout).toContain("would delete archives/v1/here/old/prog/f/0123456789abcdef/current.arrow (10 bytes)");
      expect(existsSync(current)).toBe(true);
      expect(ramen(["--site", "here", "gc", "--grace", "0"], { env }).status).toBe(0);
      expect(existsSync(archive)).toBe(false);
      expect(ramen(["gc", "--del-ratio", "much"], { env }).stderr).toContain('--del-ratio takes a non-negative number, not "much"');
    } finally {
      cleanup();
    }
  });
});

describe("ramen supervisor --gc-loop --archivist-loop", () => {
  it("runs gc and the archivist periodically", async () => {
    const { dir, cleanup } = tempDir();
    const env = { RAMEN_DIR: dir };
    const archive = path.join(dir, "archives", "v1", "here", "old", "prog", "f", "0123456789abcdef", "arc");
    mkdirSync(archive, { recursive: true });
    const sealed = path.join(archive, "0000000000000000_0000000000000010_1000000_2000000.arrow");
    writeFileSync(sealed, "x".repeat(100));
    const daemon = startDaemon(env, ["--gc-loop", "0.5", "--archivist-loop", "0.5"], ["--site", "here"]);
    try {
      // gc trims the archive of a function that no longer exists; the archivist writes its files.
      await until("gc", () => (existsSync(sealed) ? undefined : true));
      await until("the archivist", () => (existsSync(path.join(dir, "archivist", "v1", "allocs", "here.json")) ? true : undefined));
      expect(existsSync(path.join(dir, "archivist", "v1", "stats", "here.json"))).toBe(true);
    } finally {
      await stopProcess(daemon);
      cleanup();
    }
  }, 30_000);
});
