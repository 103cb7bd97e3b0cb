// `ramen compile` and `ramen info` end to end, on the example programs and on
// programs with mistakes, as a user runs them.

import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, ramen, tempDir } from "./run-ramen.js";

/** Every .ramen file under a directory, relative to it. */
function sourcesUnder(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(dir, prefix)).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(path.join(dir, rel)).isDirectory()) out.push(...sourcesUnder(dir, rel));
    else if (name.endsWith(".ramen")) out.push(rel);
  }
  return out;
}

/** The "Output type" lines of one function in `ramen info` output. */
function outputType(info: string, fn: string): string[] {
  const lines = info.split("\n");
  const start = lines.findIndex((l) => l.trim().startsWith(fn + ":") || l.trim() === fn);
  const header = lines.findIndex((l, i) => i > start && l.trim() === "Output type:");
  const fields: string[] = [];
  for (let i = header + 1; i < lines.length && !lines[i]!.trim().startsWith("Event time:"); i++) {
    fields.push(lines[i]!.trim().replace(/\s+--.*$/, ""));
  }
  return fields;
}

describe("compiling the examples", () => {
  let work: { dir: string; cleanup: () => void };
  beforeAll(() => {
    // compile a copy, so that the .x files do not land in the repository
    work = tempDir();
    for (const rel of sourcesUnder(path.join(REPO, "examples"))) {
      mkdirSync(path.dirname(path.join(work.dir, rel)), { recursive: true });
      copyFileSync(path.join(REPO, "examples", rel), path.join(work.dir, rel));
    }
  });
  afterAll(() => work.cleanup());

  const examples = sourcesUnder(path.join(REPO, "examples"));

  it("has at least 8 example programs", () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
  });

  it.each(examples)("%s compiles, whatever the order of the files", (rel) => {
    const r = ramen(["compile", "-L", ".", rel], { cwd: work.dir });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const programName = rel.replace(/\.ramen$/, "");
    expect(r.stdout).toContain(`Program ${programName} is compiled`);
    const compiled = JSON.parse(readFileSync(path.join(work.dir, programName + ".x"), "utf8")) as { format: string; program: string };
    expect(compiled.format).toBe("ramen-ts/2");
    expect(compiled.program).toBe(programName);
  });

  it("shows the output types the spec's typing rules give", () => {
    const traffic = ramen(["info", "-L", ".", "netflow/traffic"], { cwd: work.dir });
    expect(traffic.status).toBe(0);
    // TRUNCATE(float {seconds(rel)}, u32) keeps the first operand's type and unit;
    // SUM keeps the operand's type; `/` is float, nullable since the divisor is a parameter
    expect(outputType(traffic.stdout, "per_port")).toEqual([
      "start: float {seconds(rel)}",
      "dst_port: u16",
      "bytes: u32 {bytes}",
      "packets: u32 {packets}",
      "bps: float? {bytes*seconds^-1}",
    ]);
    expect(traffic.stdout).toContain("Event time: EVENT STARTING AT start WITH DURATION bucket");

    const quakes = ramen(["info", "-L", ".", "earthquakes/quakes.ramen", "trend"], { cwd: work.dir });
    expect(quakes.status).toBe(0);
    // u16 - u16 is the smallest signed type wider than u16 (i24), nullable through LAG
    expect(outputType(quakes.stdout, "trend")).toEqual([
      "year: u16",
      "quakes: u16",
      "avg_5y: float",
      "smoothed: float",
      "change: i24?",
      "unusual: bool",
      "was_unusual: bool",
    ]);

    const cars = ramen(["info", "-L", ".", "cars/cars.ramen", "power_stats"], { cwd: work.dir });
    expect(outputType(cars.stdout, "power_stats")).toEqual([
      "min_horsepower: u16 {hp}",
      "max_horsepower: u16 {hp}",
      "avg_horsepower: float {hp}",
      "quartiles: u16[3]? {hp}",
      "n: u32",
    ]);
  });

  it("applies -p overrides to the parameters shown", () => {
    const r = ramen(["info", "-L", ".", "netflow/alerts", "-p", "max_ports=5"], { cwd: work.dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/max_ports: u32 = 5\b/);
  });
});

describe("compile errors", () => {
  let work: { dir: string; cleanup: () => void };
  beforeAll(() => {
    work = tempDir();
  });
  afterAll(() => work.cleanup());

  function source(name: string, text: string): string {
    writeFileSync(path.join(work.dir, name), text);
    return name;
  }

  it("reports a type error with position, caret and expected vs got, and exits 1", () => {
    const f = source(
      "bad.ramen",
      'DEFINE src AS READ FROM FILE "x.csv" AS CSV (n u32, s string?);\nDEFINE f AS FROM src\n  WHERE s > "a"\n  SELECT n;\n',
    );
    const r = ramen(["compile", f], { cwd: work.dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    const lines = r.stderr.split("\n");
    expect(lines[0]).toMatch(/^bad\.ramen:3:9: error: in function f, WHERE clause: .*must not be nullable/);
    expect(lines[1]).toBe('    WHERE s > "a"');
    expect(lines[2]).toBe("          ^~~~~~~");
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    expect(existsSync(path.join(work.dir, "bad.x"))).toBe(false);
  });

  it("reports a syntax error at the furthest token", () => {
    const f = source("syntax.ramen", "DEFINE f AS YIELD 1 + AS x;\n");
    const r = ramen(["compile", f], { cwd: work.dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^syntax\.ramen:1:23: error: /);
  });

  it("reports every error of every file, and still writes the files that compiled", () => {
    const bad = source("two_errors.ramen", "DEFINE f AS YIELD unknown_field AS x;\nDEFINE g AS YIELD LENGTH 3 AS y;\n");
    const good = source("good.ramen", "DEFINE h AS YIELD 1 AS one;\n");
    const r = ramen(["compile", bad, good], { cwd: work.dir });
    expect(r.status).toBe(1);
    expect(r.stderr.match(/^two_errors\.ramen:\d+:\d+: error/gm)?.length).toBe(2);
    expect(existsSync(path.join(work.dir, "good.x"))).toBe(true);
  });

  it("names a missing file, an unknown extension and a missing extension", () => {
    const missing = ramen(["compile", "nowhere.ramen"], { cwd: work.dir });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("nowhere.ramen");
    expect(missing.stderr).toContain("no such file");
    source("prog.txt", "");
    expect(ramen(["compile", "prog.txt"], { cwd: work.dir }).stderr).toBe('prog.txt: Unknown extension "txt"\n');
    source("prog", "");
    expect(ramen(["compile", "prog"], { cwd: work.dir }).stderr).toBe("prog: Need an extension to build a source file.\n");
  });

  it("refuses --as and -o with several files", () => {
    const a = source("a.ramen", "DEFINE f AS YIELD 1 AS x;\n");
    const b = source("b.ramen", "DEFINE f AS YIELD 2 AS x;\n");
    const r1 = ramen(["compile", "--as", "p", a, b], { cwd: work.dir });
    expect([r1.status, r1.stderr]).toEqual([1, "Cannot specify the program name for several source files.\n"]);
    const r2 = ramen(["compile", "-o", "out.x", a, b], { cwd: work.dir });
    expect([r2.status, r2.stderr]).toEqual([1, "Cannot specify the output file for several source files.\n"]);
  });

  it("does not overwrite a file that is not the same program's output, unless --replace", () => {
    const a = source("keep.ramen", "DEFINE f AS YIELD 1 AS x;\n");
    writeFileSync(path.join(work.dir, "keep.x"), "precious data\n");
    const r = ramen(["compile", a], { cwd: work.dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("keep.x already exists");
    expect(readFileSync(path.join(work.dir, "keep.x"), "utf8")).toBe("precious data\n");
    expect(ramen(["compile", "-r", a], { cwd: work.dir }).status).toBe(0);
    // re-compiling the same program after an edit is allowed
    source("keep.ramen", "DEFINE f AS YIELD 2 AS x;\n");
    expect(ramen(["compile", a], { cwd: work.dir }).status).toBe(0);
  });

  it("finds parent programs along the lib paths, compiled or not", () => {
    mkdirSync(path.join(work.dir, "lib/up"), { recursive: true });
    writeFileSync(path.join(work.dir, "lib/up/src.ramen"), 'DEFINE s AS READ FROM FILE "f.csv" AS CSV (v u8);\n');
    writeFileSync(path.join(work.dir, "lib/up/child.ramen"), "DEFINE c AS FROM ../src/s SELECT v + 1u8 AS w;\n");
    const r = ramen(["compile", "-L", "lib", "lib/up/child.ramen"], { cwd: work.dir });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const info = ramen(["info", "-L", "lib", "up/child"], { cwd: work.dir });
    expect(outputType(info.stdout, "c")).toEqual(["w: u8"]);
    const missing = source("orphan.ramen", "DEFINE c AS FROM nowhere/f SELECT x;\n");
    const r2 = ramen(["compile", missing], { cwd: work.dir });
    expect(r2.status).toBe(1);
    expect(r2.stderr).toContain('Cannot find parent program "nowhere"');
  });

  it("writes warnings without failing", () => {
    const f = source("warn.ramen", "PARAMETER unused u8 DEFAULTS TO 1;\nDEFINE f AS YIELD 1 AS x;\n");
    const r = ramen(["compile", f], { cwd: work.dir });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/warning: .*unused/);
  });
});

describe("the command line", () => {
  it("prints the help with no argument, and the version", () => {
    const help = ramen([]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("compile");
    const version = ramen(["--version"]);
    expect(version.stdout.trim()).toMatch(/^v\d+\.\d+\.\d+$/);
  });

  it("refuses the commands and options of Ramen's configuration server", () => {
    expect(ramen(["confserver"])).toMatchObject({ status: 1, stderr: 'Unknown command "confserver"\n' });
    expect(ramen(["no-such-command"])).toMatchObject({ status: 1, stderr: 'Unknown command "no-such-command"\n' });
    const r = ramen(["--confserver", "x", "functions"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Option --confserver is not supported");
  });

  it("lists the built-in functions and describes one", () => {
    const all = ramen(["functions"]);
    expect(all.status).toBe(0);
    for (const f of ["SUBSTRING", "LARGEST", "PERCENTILE", "HYSTERESIS", "PARSE_TIME"]) expect(all.stdout).toContain(f);
    const one = ramen(["functions", "substring"]);
    expect(one.stdout).toContain("SUBSTRING(x1, x2, x3)");
    expect(ramen(["functions", "no_such_function"]).status).toBe(1);
  });

  it("formats a program into canonical RaQL that formats to itself", () => {
    const first = ramen(["fmt", "examples/netflow/traffic.ramen"]);
    expect(first.status).toBe(0);
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(path.join(dir, "t.ramen"), first.stdout);
      expect(ramen(["fmt", "t.ramen"], { cwd: dir }).stdout).toBe(first.stdout);
    } finally {
      cleanup();
    }
  });
});
