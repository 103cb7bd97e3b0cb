// Archives and history end to end (archival.md §2, §6; cli-runtime.md §6.5):
// a daemon runs a graph whose source keeps an archive; `ramen tail --since
// --until` answers (a) from the archive of the archived function, (b) by
// replaying it through the live worker of its child, both compared with
// what the live run produced for that range; and a supervisor killed while
// archiving leaves every written batch readable.

import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { daemonForTests, ramen, startDaemon, stopProcess, supervisorAnswers, tempDir, until } from "../cli/run-ramen.js";


describe("tail --since/--until", () => {
  const { dir, env } = daemonForTests({
    before: (dir) => {
      // 50 readings, one per second of event time from t = 1000.
      writeFileSync(path.join(dir, "data.csv"), Array.from({ length: 50 }, (_, i) => `${1000 + i},${i + 1}\n`).join(""));
      // A second archived source, of the same times, values + 100.
      writeFileSync(path.join(dir, "data2.csv"), Array.from({ length: 50 }, (_, i) => `${1000 + i},${i + 101}\n`).join(""));
      writeFileSync(
        path.join(dir, "p.ramen"),
        [
          'DEFINE src PERSIST FOR 1h AS READ FROM FILE "data.csv" AS CSV (start float, v u32);',
          "DEFINE doubled AS FROM src WHERE v % 3 <> 0 SELECT start, v * 2 AS w, SUM GLOBALLY 1 AS n;",
          'DEFINE src2 PERSIST FOR 1h AS READ FROM FILE "data2.csv" AS CSV (start float, v u32);',
          "DEFINE both AS FROM src, src2 SELECT start, v;",
        ].join("\n") + "\n",
      );
    },
    ready: async (dir) => {
      expect(ramen(["run", "p.ramen"], { env, cwd: dir }).status).toBe(0);
      await until("the live output", () => (ramen(["tail", "-l", "100", "p/doubled"], { env }).stdout.trim().split("\n").length === 34 ? true : undefined));
    },
  });

  /** The live output of p/doubled whose start is in [since, until), as printed by tail. */
  const liveBetween = (since: number, until: number, fields: (l: string[]) => string) =>
    ramen(["tail", "-l", "1000", "p/doubled"], { env })
      .stdout.trim()
      .split("\n")
      .map((l) => l.split(","))
      .filter((l) => Number(l[0]) >= since && Number(l[0]) < until)
      .map(fields);

  it("reads an archived function's past from its archive", () => {
    const r = ramen(["tail", "--since", "1010", "--until", "1015", "p/src"], { env });
    expect(r.stderr).toBe("");
    // Rows whose [start, stop] meets [1010, 1015): the readings of 1010 … 1014, computed from the file.
    expect(r.stdout).toBe([10, 11, 12, 13, 14].map((i) => `${1000 + i},${i + 1}\n`).join(""));
  });

  it("rebuilds a function without archive by replaying its archived parent through the live worker", () => {
    const r = ramen(["tail", "--since", "1010", "--until", "1030", "p/doubled", "start", "w"], { env });
    expect(r.stderr).toBe("");
    const replayed = r.stdout.trim().split("\n");
    // The same tuples as live for that range, in order: values computed from the file too.
    expect(replayed).toEqual(liveBetween(1010, 1030, (l) => `${l[0]},${l[1]}`));
    const expected = Array.from({ length: 20 }, (_, i) => 10 + i)
      .filter((i) => (i + 1) % 3 !== 0)
      .map((i) => `${1000 + i},${2 * (i + 1)}`);
    expect(replayed).toEqual(expected);
    // The replay has a state of its own: its running count starts at 1, the live one was at 7 there.
    const counts = ramen(["tail", "--since", "1010", "--until", "1013", "p/doubled", "n"], { env }).stdout;
    expect(counts).toBe("1\n2\n");
  });

  it("starts archiving a function when the archivist allocates it space (--reconf-workers)", async () => {
    const site = readdirSync(path.join(dir, "state", "archives", "v1"))[0]!;
    const allocs = path.join(dir, "state", "archivist", "v1", "allocs");
    mkdirSync(allocs, { recursive: true });
    writeFileSync(path.join(allocs, `${site}.json`), JSON.stringify({ "p/src": 1e6, "p/doubled": 1e6 }));
    // p/src and p/src2 (PERSIST FOR), and p/doubled now.
    const r = ramen(["--site", site, "archivist", "--reconf-workers"], { env });
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("3 function(s) archiving");
    await until("the archive of p/doubled", () => (existsSync(path.join(dir, "state", "archives", "v1", site, "p", "doubled")) ? true : undefined));
  });

  it("replays several archived parents at once (the cheapest plan of two sources)", () => {
    const r = ramen(["tail", "--since", "1010", "--until", "1013", "p/both"], { env });
    expect(r.stderr).toBe("");
    // The rows of both files in the range; order across parents is the arrival order: compared sorted.
    expect(r.stdout.trim().split("\n").sort()).toEqual(["1010,11", "1010,111", "1011,12", "1011,112", "1012,13", "1012,113"].sort());
  });

  it("replays a range, then exits", () => {
    expect(ramen(["replay", "--since", "1010", "--until", "1013", "p/src"], { env }).stdout).toBe("1010,11\n1011,12\n1012,13\n");
    expect(ramen(["replay", "p/src"], { env }).stderr).toContain("Option --since is mandatory.");
  });

  it("resamples a field over time buckets", () => {
    // Buckets of 2 s from 1000: readings v = 1…10 at t = 1000…1009, two per bucket.
    const avg = ramen(["timeseries", "--since", "1000", "--until", "1010", "-n", "5", "-h", "p/src", "v"], { env });
    expect(avg.stderr).toBe("");
    const lines = avg.stdout.trim().split("\n");
    expect(lines[0]).toBe("#Time,v");
    expect(lines.slice(1).map((l) => l.split(",")[1])).toEqual(["1.5", "3.5", "5.5", "7.5", "9.5"]);
    const sum = ramen(["timeseries", "--since", "1000", "--until", "1010", "--time-step", "5", "--consolidation", "sum", "p/src", "v"], { env });
    expect(sum.stdout.trim().split("\n").map((l) => l.split(",")[1])).toEqual(["15", "40"]);
    // One column per value of a factor (here v itself: 1000…1003 hold v = 1…4), named by the value.
    const factored = ramen(["timeseries", "--since", "1000", "--until", "1004", "-n", "1", "-h", "--consolidation", "sum", "-f", "v", "p/src", "v"], { env });
    expect(factored.stdout.trim().split("\n")[0]).toBe("#Time,1,2,3,4");
    expect(factored.stdout.trim().split("\n")[1]!.split(",").slice(1)).toEqual(["1", "2", "3", "4"]);
    // Buckets with no data are NULL, and there are exactly N lines.
    const empty = ramen(["timeseries", "--since", "1045", "--until", "1055", "-n", "2", "p/src", "v"], { env });
    expect(empty.stdout.trim().split("\n").map((l) => l.split(",")[1])).toEqual(["48", "<NULL>"]);
  });

  it("says what is archived when nothing covers the range", () => {
    // Before the first archived row (the current file of a running function reaches now, §6.2).
    const r = ramen(["tail", "--since", "10", "--until", "20", "p/doubled"], { env });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("No archived data covers p/doubled between");
    expect(r.stderr).toContain("archived ancestors: p/src [");
    expect(ramen(["tail", "--since", "3000", "--until", "2000", "p/src"], { env }).stderr).toContain("--since must be before --until");
  });
});

describe("kill --purge", () => {
  const { dir, env } = daemonForTests();

  it("deletes the archives of the killed programs", async () => {
    writeFileSync(path.join(dir, "c.ramen"), "DEFINE c PERSIST FOR 1h AS YIELD SUM GLOBALLY 1 AS start EVERY 10ms;\n");
    expect(ramen(["run", "c.ramen"], { env, cwd: dir }).status).toBe(0);
    const sites = path.join(dir, "state", "archives", "v1");
    await until("the archive", () => (existsSync(sites) && readdirSync(sites).length > 0 ? true : undefined));
    const archive = path.join(sites, readdirSync(sites)[0]!, "c", "c");
    await until("the archive of c/c", () => (existsSync(archive) ? true : undefined));
    expect(ramen(["kill", "--purge", "c"], { env }).stdout).toBe("Killed 1 program\n");
    expect(existsSync(archive)).toBe(false);
  }, 60_000);
});

describe("tail --since -n: the past, then live", () => {
  const { dir, env } = daemonForTests();

  it("prints the archived rows then the live ones, with nothing missing or repeated at the seam", async () => {
    writeFileSync(path.join(dir, "c.ramen"), "DEFINE c PERSIST FOR 1h AS YIELD SUM GLOBALLY 1 AS start EVERY 5ms;\n");
    expect(ramen(["run", "c.ramen"], { env, cwd: dir }).status).toBe(0);
    await until("some output", () => (Number(ramen(["tail", "-l", "1", "c/c"], { env }).stdout) > 200 ? true : undefined));
    const r = ramen(["tail", "--since", "0", "-n", "100", "c/c"], { env });
    expect(r.stderr).toBe("");
    const values = r.stdout.trim().split("\n").map(Number);
    // Every tick from the first, once, in order: the archive's part and then 100 live ones.
    expect(values.length).toBeGreaterThan(300);
    expect(values.every((v, i) => v === i + 1)).toBe(true);
  }, 60_000);
});

describe("tail --since -n of a function rebuilt from its ancestors: the past, then live", () => {
  const { dir, env } = daemonForTests();

  it("cuts the replayed past at the first live row's #start: nothing missing or repeated", async () => {
    // c is archived, d is not: d's past is c's archive replayed through d's worker.
    const text = "DEFINE c PERSIST FOR 1h AS YIELD SUM GLOBALLY 1 AS start EVERY 5ms;\nDEFINE d AS FROM c SELECT start, start * 10 AS tens;\n";
    writeFileSync(path.join(dir, "cd.ramen"), text);
    expect(ramen(["run", "cd.ramen"], { env, cwd: dir }).status).toBe(0);
    await until("some output", () => (Number(ramen(["tail", "-l", "1", "cd/c"], { env }).stdout) > 200 ? true : undefined));
    const r = ramen(["tail", "--since", "1", "-n", "100", "cd/d"], { env });
    expect(r.stderr).toBe("");
    const rows = r.stdout.trim().split("\n").map((line) => line.split(",").map(Number));
    expect(rows.length).toBeGreaterThan(300);
    expect(rows.every(([start, tens], i) => start === i + 1 && tens === 10 * (i + 1))).toBe(true);
  }, 60_000);
});

describe("a supervisor killed while archiving", () => {
  it("leaves every written batch readable after a restart", async () => {
    const { dir, cleanup } = tempDir();
    const env = { RAMEN_DIR: path.join(dir, "state") };
    try {
      // A counter ticking every 5 ms, archived; its event time is the tick number.
      writeFileSync(path.join(dir, "c.ramen"), "DEFINE c PERSIST FOR 1h AS YIELD SUM GLOBALLY 1 AS start EVERY 5ms;\n");
      let daemon = startDaemon(env);
      await supervisorAnswers(env);
      expect(ramen(["run", "c.ramen"], { env, cwd: dir }).status).toBe(0);
      await until("some output", () => (Number(ramen(["tail", "-l", "1", "c/c"], { env }).stdout) > 100 ? true : undefined));
      await stopProcess(daemon, "SIGKILL");
      daemon = startDaemon(env);
      try {
        await supervisorAnswers(env, "the restarted supervisor");
        const past = ramen(["tail", "--since", "0", "--until", "1000000", "c/c"], { env });
        expect(past.stderr).toBe("");
        const values = past.stdout.trim().split("\n").map(Number);
        // The first run's rows 1 … k, then the restarted function's from 1 again: each run's rows consecutive.
        const restart = values.findIndex((v, i) => i > 0 && v <= values[i - 1]!);
        const firstRun = restart < 0 ? values : values.slice(0, restart);
        expect(firstRun.length).toBeGreaterThan(100);
        expect(firstRun.every((v, i) => v === i + 1)).toBe(true);
      } finally {
        await stopProcess(daemon, "SIGTERM");
      }
    } finally {
      cleanup();
    }
  }, 60_000);
});
