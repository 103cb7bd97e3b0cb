// The supervisor end to end (cli-runtime.md §1, §6.2–6.5): a daemon started
// with `ramen supervisor`, a graph of three programs reading a fixture,
// their output through `ramen tail` compared with sums computed here, a
// crashed function restarting without losing or repeating a tuple, and the
// programs coming back after the supervisor restarts.

import type { ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, ramen, startDaemon, stopProcess, tempDir, until, supervisorAnswers } from "../cli/run-ramen.js";
import { CrashStage } from "../../runtime/supervisor/control-block.js";

const FIXTURES = path.resolve(REPO, "../shared/fixtures");

/** name → [balance, operations] after the whole file, computed from the fixture itself. */
function expectedBalances(): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const line of readFileSync(path.join(FIXTURES, "accounts.csv"), "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const [quoted, amount] = line.split(",");
    const name = quoted!.replace(/"/g, "");
    const [b, n] = out.get(name) ?? [0, 0];
    out.set(name, [b + Number(amount), n + 1]);
  }
  return out;
}


describe("ramen supervisor, run, ps, tail, kill", () => {
  const { dir, cleanup } = tempDir();
  const stateDir = path.join(dir, "state");
  const lib = path.join(dir, "lib");
  const env = { RAMEN_DIR: stateDir };
  let daemon: ChildProcess | undefined;

  const restartDaemon = async () => {
    daemon = startDaemon(env);
    await supervisorAnswers(env);
  };
  const stopDaemon = async () => {
    if (daemon) await stopProcess(daemon);
  };

  beforeAll(async () => {
    mkdirSync(path.join(lib, "bank"), { recursive: true });
    writeFileSync(
      path.join(lib, "bank", "ingest.ramen"),
      `DEFINE operations AS READ FROM FILE "${path.join(FIXTURES, "accounts.csv")}" AS CSV (name string, amount i32);\n`,
    );
    writeFileSync(path.join(lib, "bank", "totals.ramen"), "DEFINE balances AS FROM ../ingest/operations SELECT name, SUM amount AS balance, COUNT amount AS operations GROUP BY name KEEP;\n");
    writeFileSync(path.join(lib, "bank", "alerts.ramen"), "DEFINE low AS FROM ../totals/balances WHERE balance < 100 SELECT name, balance;\n");
    await restartDaemon();
  });

  afterAll(async () => {
    await stopDaemon();
    cleanup();
  });

  it("runs a graph of three programs and tails values computed from the fixture", async () => {
    const run = ramen(["run", "-L", lib, "bank/ingest", "bank/totals", "bank/alerts"], { env });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const expected = expectedBalances();
    const rows = await until("the balances", () => {
      const t = ramen(["tail", "-l", "100", "--raw", "bank/totals/balances"], { env });
      const lines = t.stdout.trim().split("\n").filter((l) => l !== "");
      return lines.length === 18 ? lines : undefined;
    });
    // The running balance after the last operation of each customer is the fixture's total.
    const last = new Map<string, [number, number]>();
    for (const l of rows) {
      const [name, balance, n] = l.split(",");
      last.set(name!, [Number(balance), Number(n)]);
    }
    expect(last).toEqual(expected);
    const low = ramen(["tail", "-l", "100", "--raw", "bank/alerts/low"], { env }).stdout.trim().split("\n");
    // Every running balance under 100, in order: recomputed from the fixture.
    const running = new Map<string, number>();
    const lowExpected: string[] = [];
    for (const line of readFileSync(path.join(FIXTURES, "accounts.csv"), "utf8").trim().split("\n")) {
      const [quoted, amount] = line.split(",");
      const name = quoted!.replace(/"/g, "");
      const b = (running.get(name) ?? 0) + Number(amount);
      running.set(name, b);
      if (b < 100) lowExpected.push(`${name},${b}`);
    }
    expect(low).toEqual(lowExpected);
    // Statistics are published every second: wait for the counts of the whole file.
    const lines = await until("the statistics", () => {
      const ls = ramen(["ps", "bank/*"], { env }).stdout.trim().split("\n").map((l) => l.split("\t"));
      return ls.find((l) => l[1] === "bank/ingest/operations")?.[6] === "18" && ls.find((l) => l[1] === "bank/totals/balances")?.[3] === "18" ? ls : undefined;
    });
    expect(lines.map((l) => l[1])).toEqual(["bank/alerts/low", "bank/ingest/operations", "bank/totals/balances"]);
    const byName = new Map(lines.map((l) => [l[1], l]));
    expect(byName.get("bank/ingest/operations")![6]).toBe("18"); // #out
    expect(byName.get("bank/totals/balances")![3]).toBe("18"); // #in
    expect(lines.every((l) => l[29] === "running")).toBe(true);
  });

  it("brings the programs back after a restart of the supervisor", async () => {
    await stopDaemon();
    expect(ramen(["ps"], { env }).stderr).toContain("No supervisor is running on");
    // An entry whose compiled copy is gone cannot run: ps --show-all lists it with why.
    const configFile = path.join(stateDir, "running-config.json");
    const config = JSON.parse(readFileSync(configFile, "utf8")) as { programs: Record<string, unknown>[] };
    config.programs.push({ ...config.programs[0]!, program: "ghost", signature: "0".repeat(32) });
    writeFileSync(configFile, JSON.stringify(config));
    await restartDaemon();
    const ghost = ramen(["ps", "-a", "ghost*"], { env }).stdout.split("\t");
    expect(ghost[1]).toBe("ghost/");
    expect(ghost.at(-1)).toMatch(/^cannot load its compiled program/);
    const rows = await until("the balances again", () => {
      const lines = ramen(["tail", "-l", "100", "bank/totals/balances"], { env }).stdout.trim().split("\n");
      return lines.length === 18 ? lines : undefined;
    });
    expect(rows).toHaveLength(18);
  });

  it("kills programs by glob", () => {
    expect(ramen(["kill", "bank/al*"], { env }).stdout).toBe("Killed 1 program\n");
    expect(ramen(["ps", "bank/alerts/*"], { env }).stdout).toBe("");
    expect(ramen(["kill", "bank/*"], { env }).stdout).toBe("Killed 2 programs\n");
    expect(ramen(["kill", "nothing"], { env }).stdout).toBe("Killed 0 program\n");
    // The entry that could not run stayed in the running configuration until killed.
    const programs = () => (JSON.parse(readFileSync(path.join(stateDir, "running-config.json"), "utf8")) as { programs: { program: string }[] }).programs;
    expect(programs().map((p) => p.program)).toEqual(["ghost"]);
    expect(ramen(["kill", "ghost"], { env }).stdout).toBe("Killed 1 program\n");
    expect(programs()).toEqual([]);
  });
});

type Supervisor = import("../../runtime/supervisor/supervisor.js").Supervisor;
type ProgramIR = import("../../compiler/ir.js").ProgramIR;

/**
 * An embedded Supervisor of dist/ (as the CLI runs it) running `sources`
 * (program name → RaQL text), compiled by dist/'s compiler; `beforeStart`
 * subscribes before the first tuple. Errors logged go to `errors`.
 */
async function embedded(
  dir: string,
  sources: Readonly<Record<string, string>>,
  beforeStart: (sup: Supervisor) => void,
  options: { readonly replayExpirySeconds?: number } = {},
): Promise<{ sup: Supervisor; irs: Map<string, ProgramIR>; errors: string[] }> {
  const { checkProgram } = (await import(path.join(REPO, "dist/compiler/index.js"))) as typeof import("../../compiler/index.js");
  const { generateModule } = (await import(path.join(REPO, "dist/compiler/codegen/module.js"))) as typeof import("../../compiler/codegen/module.js");
  const { SourceFile } = (await import(path.join(REPO, "dist/grammar/source.js"))) as typeof import("../../grammar/source.js");
  const { Supervisor } = (await import(path.join(REPO, "dist/runtime/supervisor/supervisor.js"))) as typeof import("../../runtime/supervisor/supervisor.js");
  const { storeProgram } = (await import(path.join(REPO, "dist/runtime/supervisor/state.js"))) as typeof import("../../runtime/supervisor/state.js");
  const errors: string[] = [];
  const log = { info: () => {}, debug: () => {}, warning: () => {}, error: (m: string) => void errors.push(m) };
  const stateDir = path.join(dir, "state");
  const sup = new Supervisor({ stateDir, site: "test", log, persistent: false, ...options });
  const irs = new Map<string, ProgramIR>();
  const programs = Object.entries(sources).map(([name, text]) => {
    const { ir } = checkProgram({ source: new SourceFile(`${name}.ramen`, text), programName: name, resolveProgram: () => undefined });
    irs.set(name, ir);
    const { signature, stored } = storeProgram(stateDir, name, ir, generateModule(ir));
    return { entry: { program: name, params: {}, cwd: dir, report_period: 30, debug: false, signature }, ir, moduleFile: stored.moduleFile };
  });
  await sup.add(programs, false, () => beforeStart(sup));
  return { sup, irs, errors };
}

/** A supervisor running `src` (a file of 1..n) → `copy`, whose output is collected; `hit` is called once 20k tuples came. */
async function seqPipeline(dir: string, n: number, hit: (sup: Supervisor) => void) {
  writeFileSync(path.join(dir, "seq.csv"), Array.from({ length: n }, (_, i) => `${i + 1}\n`).join(""));
  const text = 'DEFINE src AS READ FROM FILE "seq.csv" AS CSV (seq u32);\nDEFINE copy AS FROM src SELECT seq;\n';
  const seen: number[] = [];
  let hitDone = false;
  const { sup, errors } = await embedded(dir, { p: text }, (sup) => {
    sup.subscribe("p/copy", (rows) => {
      for (const r of rows) seen.push(r[0] as number);
      if (!hitDone && seen.length > 20_000) {
        hitDone = true;
        hit(sup);
      }
    });
  });
  await until("every tuple", () => (new Set(seen).size >= n ? true : undefined), 60_000);
  await new Promise((r) => setTimeout(r, 300));
  const ps = sup.ps("p/copy")[0]!;
  await sup.stop();
  return { seen, errors, ps, hitDone };
}

describe("a crashing function", () => {
  it("restarts after its thread is killed, and neither loses nor repeats a tuple of its input ring", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const n = 300_000;
      let killed: Promise<boolean> | undefined;
      const { seen, errors, hitDone } = await seqPipeline(dir, n, (sup) => (killed = sup.killThread("p/copy")));
      expect(hitDone).toBe(true);
      expect(await killed).toBe(true);
      expect(errors.some((e) => e.startsWith("p/copy: crashed:"))).toBe(true);
      expect(seen).toHaveLength(n);
      expect(seen.every((s, i) => s === i + 1)).toBe(true);
    } finally {
      cleanup();
    }
  }, 90_000);

  for (const [when, stage] of [
    ["before writing its output", CrashStage.beforeOutput],
    ["after writing its output, before releasing its input (as a thread killed then)", CrashStage.afterOutput],
  ] as const) {
    it(`restarts after a crash ${when}, and neither loses nor repeats a tuple`, async () => {
      const { dir, cleanup } = tempDir();
      try {
        const n = 300_000;
        const { seen, errors, ps, hitDone } = await seqPipeline(dir, n, (sup) => sup.crash("p/copy", stage));
        expect(hitDone).toBe(true);
        expect(errors.some((e) => e.startsWith("p/copy: crashed:"))).toBe(true);
        expect(ps.broken === undefined && ps.lastExit?.status).toMatch(/^crashed: /);
        expect(seen).toHaveLength(n);
        expect(seen.every((s, i) => s === i + 1)).toBe(true);
      } finally {
        cleanup();
      }
    }, 90_000);
  }
});

describe("DECLAREd globals", () => {
  it("are shared by the functions of their scope, each on its own thread, and survive a restart", async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(path.join(dir, "kv.csv"), "a,1\nb,2\n");
      const declarations = "DECLARE seen string[string];\nDECLARE WITH PROGRAM SCOPE mine string[string];\n";
      const reader = 'DEFINE look AS YIELD seen["a"] AS a, mine["b"] AS b EVERY 20ms;\n';
      const sources = {
        // p writes both globals from one function and reads them from another
        p: declarations + 'DEFINE src AS READ FROM FILE "kv.csv" AS CSV (k string, v string);\n' +
          "DEFINE store AS FROM src SELECT k, MAPADD(seen, k, v) AS site_value, MAPADD(mine, k, v) AS program_value;\n" + reader,
        // q shares the site's `seen`, but its `mine` is its own
        q: declarations + reader,
      };
      const rows = { p: [] as unknown[][], q: [] as unknown[][] };
      const { sup } = await embedded(dir, sources, (sup) => {
        for (const name of ["p", "q"] as const) sup.subscribe(`${name}/look`, (r) => void rows[name].push(...r.map((row) => row.slice(0, 2))));
      });
      const last = (name: "p" | "q") => rows[name].at(-1);
      await until("p to see both", () => (JSON.stringify(last("p")) === '["1","2"]' ? true : undefined));
      await until("q to see the site's", () => (JSON.stringify(last("q")) === '["1",null]' ? true : undefined));
      // A restarted function starts with the current values (the supervisor's copy), not empty maps.
      expect(await sup.killThread("p/look")).toBe(true);
      rows.p.length = 0;
      await until("p/look again", () => (rows.p.length >= 5 ? true : undefined));
      expect(rows.p.every((r) => JSON.stringify(r) === '["1","2"]')).toBe(true);
      await sup.stop();
    } finally {
      cleanup();
    }
  }, 60_000);
});

describe("a replay", () => {
  it("runs archived batches through the live workers on a channel of its own, with a state of its own", async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(path.join(dir, "xs.csv"), "1\n2\n3\n");
      const { batchesOfRows } = (await import(path.join(REPO, "dist/runtime/arrow/builder.js"))) as typeof import("../../runtime/arrow/builder.js");
      const text = [
        'DEFINE a AS READ FROM FILE "xs.csv" AS CSV (x u32);',
        "DEFINE b AS FROM a SELECT x * 2 AS y;",
        "DEFINE c AS FROM b WHERE y > 4 SELECT y, SUM GLOBALLY y AS total;",
      ].join("\n");
      const live: number[][] = [];
      const { sup, irs } = await embedded(
        dir,
        { p: text },
        (sup) => sup.subscribe("p/c", (rows) => void live.push(...rows.map((r) => [r[0] as number, Number(r[1])]))),
        { replayExpirySeconds: 1 },
      );
      const ir = irs.get("p")!;
      await until("the live output", () => (live.length === 1 ? true : undefined));
      // As if read from a's archive: its full output (x, #start, #stop).
      const fieldsOfA = [...ir.functions[0]!.output, { name: "#start", type: { type: { tag: "float" }, nullable: false } }, { name: "#stop", type: { type: { tag: "float" }, nullable: false } }] as Parameters<typeof batchesOfRows>[0];
      async function* archived() {
        yield* batchesOfRows(fieldsOfA, [[5, 1, 1], [1, 2, 2]]);
        yield* batchesOfRows(fieldsOfA, [[10, 3, 3]]);
      }
      const replayed: number[][] = [];
      const chain = [["p/a", "p/b"], ["p/b", "p/c"]] as const;
      await sup.runReplay(new Map([["p/a", archived()]]), chain, "p/c", (rows) => void replayed.push(...rows.map((r) => [r[0] as number, Number(r[1])])));
      // A replay whose client goes away stops, however much is left to replay.
      async function* endless() {
        for (let t = 0; ; t++) {
          yield* batchesOfRows(fieldsOfA, [[10, t, t]]);
          await new Promise((r) => setTimeout(r, 5));
        }
      }
      const gone = new AbortController();
      let abandoned = 0;
      const stopped = sup.runReplay(new Map([["p/a", endless()]]), chain, "p/c", (rows) => {
        abandoned += rows.length;
        if (abandoned >= 3) gone.abort();
      }, gone.signal);
      await stopped;
      expect(abandoned).toBeGreaterThanOrEqual(3);
      // A client that stops taking rows holds the replay back; without progress for the expiry delay it is torn down.
      const stalled = sup.runReplay(new Map([["p/a", archived()]]), chain, "p/c", () => new Promise<void>(() => {}));
      await expect(stalled).rejects.toThrow(/The replay of p\/c made no progress for 1 s/);
      // What the replays cost is counted apart from the live work (tot_cpu_replay).
      await until("replay CPU published", () => { const b = sup.ps("p/b")[0]!; return "stats" in b && b.stats.cpuReplay > 0 ? true : undefined; });
      await sup.stop();
      // Live: 3 → y = 6 (1 and 2 give y ≤ 4); its total is 6.
      expect(live).toEqual([[6, 6]]);
      // Replay: 5 → 10, 1 → 2 (filtered), 10 → 20; totals from a fresh state: 10 then 30.
      expect(replayed).toEqual([
        [10, 10],
        [20, 30],
      ]);
    } finally {
      cleanup();
    }
  }, 60_000);
});
