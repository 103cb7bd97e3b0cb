// The commands that talk to a supervisor (cli-runtime.md §6.2–6.5, 6.9, 6.11):
// their errors, messages and exit codes, foreground runs, lazy functions and
// notification delivery to a contact.

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, daemonForTests, ramen, tempDir, until } from "./run-ramen.js";

const MAIN = path.join(REPO, "dist/cli/main.js");


describe("without a supervisor", () => {
  it("client commands say none is running (exit 1)", () => {
    const { dir, cleanup } = tempDir();
    try {
      for (const args of [["ps"], ["tail", "a/b"], ["kill", "x"], ["notify", "n"], ["run", "nothing.x"]]) {
        const r = ramen(args, { env: { RAMEN_DIR: dir } });
        if (args[0] === "run") continue; // run checks its program first
        expect(r.stderr).toContain(`No supervisor is running on ${dir} (start one with "ramen supervisor")`);
        expect(r.status).toBe(1);
      }
    } finally {
      cleanup();
    }
  });

  it("runs a program in the foreground and prints its output", () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(path.join(dir, "beat.ramen"), "DEFINE beat AS YIELD SUM GLOBALLY 1 AS n, n * 10 AS tens EVERY 50ms;\n");
      const r = ramen(["run", "--foreground", "-n", "3", path.join(dir, "beat.ramen")], { env: { RAMEN_DIR: path.join(dir, "state") } });
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe("1,10\n2,20\n3,30\n");
      expect(r.status).toBe(0);
      // The embedded supervisor leaves no running configuration behind.
      expect(existsSync(path.join(dir, "state", "running-config.json"))).toBe(false);
    } finally {
      cleanup();
    }
  });
});

describe("with a supervisor", () => {
  const { dir, stateDir, env } = daemonForTests({
    before: (dir) => {
      writeFileSync(path.join(dir, "nums.csv"), "1,1.5\n2,2.5\n3,3.5\n");
      writeFileSync(
        path.join(dir, "p.ramen"),
        [
          "PARAMETER threshold u32 DEFAULTS TO 1;",
          'DEFINE src AS READ FROM FILES "nums*.csv" AS CSV (n u32, x float);',
          "DEFINE big AS FROM src WHERE n > threshold SELECT n, x, n * 2 AS _twice, _twice + 1 AS odd;",
          "DEFINE LAZY idle AS FROM src SELECT n + 100 AS m;",
        ].join("\n") + "\n",
      );
      mkdirSync(path.join(stateDir, "alerting"), { recursive: true });
      writeFileSync(
        path.join(stateDir, "alerting", "contacts.json"),
        JSON.stringify({ contacts: [{ name: "file", via: { Exec: `printf '%s %s\\n' \${name|shell} \${host|shell} >> ${path.join(dir, "alerts.txt")}` } }] }),
      );
    },
  });

  it("refuses a second supervisor on the same directory", () => {
    const r = ramen(["supervisor", "--stdout"], { env });
    expect(r.stderr).toMatch(new RegExp(`A supervisor is already running on ${stateDir} \\(pid \\d+\\)`));
    expect(r.status).toBe(1);
  });

  it("checks parameters and program names before running anything", () => {
    const p = path.join(dir, "p.ramen");
    expect(ramen(["run", "-p", "nope=1", p], { env, cwd: dir }).stderr).toContain("Parameter nope is unused");
    expect(ramen(["run", "-p", "a=1", "-p", "b=2", p], { env, cwd: dir }).stderr).toContain("Parameters a, b are unused");
    const bad = ramen(["run", "-p", "threshold=lots", p], { env, cwd: dir });
    expect(bad.stderr).toContain('Parameter threshold: cannot parse "lots"');
    expect(bad.status).toBe(1);
    expect(ramen(["run", "zzz"], { env, cwd: dir }).stderr).toContain('Cannot find program "zzz" in .');
    expect(ramen(["ps"], { env }).stdout).toBe("");
  });

  it("runs, refuses other settings without --replace, replaces with it", async () => {
    const p = path.join(dir, "p.ramen");
    expect(ramen(["run", p], { env, cwd: dir }).status).toBe(0);
    // The same settings again: nothing happens.
    expect(ramen(["run", p], { env, cwd: dir }).status).toBe(0);
    const other = ramen(["run", "-p", "threshold=2", p], { env, cwd: dir });
    expect(other.stderr).toContain("Program p is already running with different settings; use --replace");
    expect(other.status).toBe(1);
    expect(ramen(["run", "-r", "-p", "threshold=2", p], { env, cwd: dir }).status).toBe(0);
    // n > 2 only: one tuple, private _twice not shown, odd = 2 * 3 + 1.
    const lines = await until("the output", () => {
      const out = ramen(["tail", "-l", "5", "p/big"], { env }).stdout;
      return out === "3,3.5,7\n" ? out : undefined;
    });
    expect(lines).toBe("3,3.5,7\n");
    expect(ramen(["tail", "-l", "5", "-h", "p/big", "odd", "n"], { env }).stdout).toBe("#odd,n\n7,3\n");
    // The spec's other spellings: --header, and --with-header=N for a header every N lines.
    expect(ramen(["tail", "-l", "5", "--header", "--units", "p/big", "n"], { env }).stdout).toBe("#n\n3\n");
    expect(ramen(["tail", "-l", "5", "--with-header=1", "p/big", "n"], { env }).stdout).toBe("#n\n3\n");
  });

  it("validates tail's options and fields", () => {
    const cases: [string[], string][] = [
      [["tail", "-f", "-n", "1", "p/big"], "Options --follow and --next are incompatible."],
      [["tail", "-u", "p/big"], "Option --with-units makes no sense without --with-header."],
      [["tail", "p/big", "nope"], "Unknown field nope, should be one of n, x, odd"],
      [["tail", "p/big", "_twice"], "Field _twice is private"],
      [["tail", "p/bog"], "Unknown function p/bog (did you mean p/big?)"],
      [["tail", "-t", "p/big"], "Function has no event time information"],
    ];
    for (const [args, message] of cases) {
      const r = ramen(args, { env });
      expect(r.stderr).toContain(message);
      expect(r.status).toBe(1);
    }
  });

  it("runs a lazy function only while something reads it", async () => {
    const idleState = () => ramen(["ps", "p/idle"], { env }).stdout.trim().split("\t")[29];
    expect(idleState()).not.toBe("running");
    // A tail reads it: it starts, and sees the tuple of a file added meanwhile.
    const tail = spawn(process.execPath, [MAIN, "tail", "-n", "1", "p/idle"], { env: { ...process.env, ...env } });
    let out = "";
    tail.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => tail.once("exit", r));
    await until("the lazy function to start", () => (idleState() === "running" ? true : undefined));
    writeFileSync(path.join(dir, "nums2.csv"), "5,5.5\n");
    expect(await exited).toBe(0);
    expect(out).toBe("105\n");
    // Nothing reads it any more: it stops.
    await until("the lazy function to stop", () => (idleState() !== "running" ? true : undefined));
  });

  it("delivers a notification to the contacts", async () => {
    const r = ramen(["notify", "-p", "host=web 1", "disk full"], { env });
    expect(r.status).toBe(0);
    const text = await until("the contact's command", () => {
      const f = path.join(dir, "alerts.txt");
      return existsSync(f) ? readFileSync(f, "utf8") : undefined;
    });
    expect(text).toBe("disk full web 1\n");
    const journal = readFileSync(path.join(stateDir, "alerting", "notifications.jsonl"), "utf8").trim().split("\n");
    expect(JSON.parse(journal.at(-1)!)).toMatchObject({ worker: "CLI", name: "disk full", parameters: { host: "web 1" } });
  });
});
