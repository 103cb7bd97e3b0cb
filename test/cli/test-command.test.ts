// `ramen test` as a user runs it (test-format.md §4–5): verdicts, messages,
// exit codes, static checks, and what runs underneath (bad CSV lines, THEN
// DELETE, notifications). Fixtures are written afresh for each case.

import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ramen, tempDir } from "./run-ramen.js";

const TEMPS_CSV = "paris,31.5\noslo,18\nlima,\nberlin,-2.5\n";
const TEMPS_RAMEN = `DEFINE readings AS
  READ FROM FILE "temps.csv" AS CSV (city string, celsius float?);

DEFINE converted AS
  FROM readings
  SELECT city, celsius * 1.8 + 32 AS fahrenheit;
`;

function tempsTest(paris: string, timeout = 10): string {
  return `{
  programs = [ { src = "temps.ramen" } ];
  outputs = {
    "temps/converted" => {
      timeout = ${timeout};
      present = [
        { "city" => "\\"paris\\""; "fahrenheit" => "${paris}" };
        { "city" => "\\"berlin\\""; "fahrenheit" => "27.5" };
        { "city" => "\\"lima\\""; "fahrenheit" => "null" } ];
      absent = [
        { "city" => "\\"paris\\""; "fahrenheit" => "NULL" } ] } }
}
`;
}

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

/** A directory holding `files`; returns its path. */
function fixture(files: Record<string, string>): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text, "latin1");
  }
  return dir;
}

describe("ramen test", () => {
  it("passes the example of test-format.md §5.1 (exit 0, nothing on stderr)", () => {
    const dir = fixture({ "temps.csv": TEMPS_CSV, "temps.ramen": TEMPS_RAMEN, "temps.test": tempsTest("88.7") });
    const r = ramen(["test", "temps.test"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("Test temps: Success\n");
    expect(r.status).toBe(0);
  });

  it("reports the closest tuple when a present spec is never matched (§5.3)", () => {
    const dir = fixture({ "temps.csv": TEMPS_CSV, "temps.ramen": TEMPS_RAMEN, "temps.test": tempsTest("88.8", 1) });
    const r = ramen(["test", path.join(dir, "temps.test")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      [
        "(E) temps/converted: enumerated 4 tuples but found no tuple matching:",
        '  { city => "paris"; fahrenheit => 88.8 (had 88.7) }',
        "  (if the values look right, try raising the timeout)",
        "(E) Test temps: FAILURE",
        "",
      ].join("\n"),
    );
  });

  it("aborts before running on an expected value that does not parse", () => {
    const dir = fixture({ "temps.csv": TEMPS_CSV, "temps.ramen": TEMPS_RAMEN, "temps.test": tempsTest("eighty") });
    const r = ramen(["test", path.join(dir, "temps.test")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Cannot parse expected value "eighty" for field fahrenheit of temps/converted (float?)');
  });

  it("runs one source as two instances with their parameters (§5.2)", () => {
    const dir = fixture({
      "temps.csv": TEMPS_CSV,
      "temps.ramen": TEMPS_RAMEN,
      "scale.ramen": "PARAMETER factor float DEFAULTS TO 1.0;\nDEFINE scaled AS FROM temps/readings SELECT city, celsius * factor AS value;\n",
      "scale.test": `{
  programs = [
    { src = "temps.ramen" };
    { src = "scale.ramen"; ext = "double"; params = { "factor" => VFloat 2.0 } };
    { src = "scale.ramen"; ext = "half";   params = { "factor" => VFloat 0.5 } };
  ];
  outputs = {
    "scale#double/scaled" => { present = [ { "city" => "\\"oslo\\""; "value" => "36" } ] };
    "scale#half/scaled" => { timeout = 5; present = [ { "city" => "\\"oslo\\""; "value" => "9" }; { "city" => "\\"berlin\\""; "value" => "-1.25" } ] };
  }
}`,
    });
    const r = ramen(["test", path.join(dir, "scale.test")]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("Test scale: Success\n");
  });

  it("fails when an absent tuple shows up, naming it", () => {
    const dir = fixture({
      "temps.csv": TEMPS_CSV,
      "temps.ramen": TEMPS_RAMEN,
      "absent.test": `{ programs = [ { src = "temps.ramen" } ];
  outputs = { "temps/converted" => { timeout = 5; absent = [ { "city" => "\\"oslo\\"" } ] } } }`,
    });
    const r = ramen(["test", path.join(dir, "absent.test")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\(E\) temps\/converted: enumerated 2 tuples and found this forbidden tuple:\n {2}\{ city => "oslo"; fahrenheit => 64\.4 \}/);
  });

  it("says when nothing was output within the timeout", () => {
    const dir = fixture({
      "temps.csv": TEMPS_CSV,
      "temps.ramen": TEMPS_RAMEN + 'DEFINE none AS FROM readings WHERE city = "rome" SELECT city;\n',
      "none.test": `{ programs = [ { src = "temps.ramen" } ]; outputs = { "temps/none" => { timeout = 0.5; present = [ { "city" => "\\"rome\\"" } ] } } }`,
    });
    const r = ramen(["test", path.join(dir, "none.test")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("(E) temps/none: no tuple was output within 0.5s");
  });

  it("checks outputs against the programs before running (§4.1 step 5)", () => {
    const dir = fixture({
      "temps.csv": TEMPS_CSV,
      "temps.ramen": TEMPS_RAMEN,
      "p.test": `{ programs = [ { src = "temps.ramen" } ]; outputs = { "tmps/converted" => { present = [] } } }`,
      "f.test": `{ programs = [ { src = "temps.ramen" } ]; outputs = { "temps/convert" => { present = [] } } }`,
      "x.test": `{ programs = [ { src = "temps.ramen" } ]; outputs = { "temps/converted" => { present = [ { "town" => "1" } ] } } }`,
    });
    expect(ramen(["test", path.join(dir, "p.test")]).stderr).toContain("Unknown program tmps (have temps)");
    expect(ramen(["test", path.join(dir, "f.test")]).stderr).toContain("Unknown function convert in program temps");
    const x = ramen(["test", path.join(dir, "x.test")]);
    expect(x.stderr).toContain('Unknown field "town" in "temps/converted" (have city, fahrenheit)');
    expect(x.status).toBe(1);
  });

  it("reports compilation errors with their position", () => {
    const dir = fixture({
      "bad.ramen": "DEFINE f AS YIELD 1 + \"a\" AS x EVERY 1s;\n",
      "bad.test": `{ programs = [ { src = "bad.ramen" } ] }`,
    });
    const r = ramen(["test", path.join(dir, "bad.test")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("(E) Cannot compile bad:");
    expect(r.stderr).toContain(`${path.join(dir, "bad.ramen")}:1:`);
    expect(r.stderr).toContain("(E) Test bad: FAILURE");
  });

  it("counts, reports and skips bad CSV lines while the rest goes on", () => {
    const dir = fixture({
      "n.csv": "1,10\n2,x\n3\n4,40\n",
      "n.ramen": "DEFINE r AS READ FROM FILE \"n.csv\" AS CSV (id u32, v u32);\nDEFINE s AS FROM r SELECT SUM v AS total, COUNT v AS n COMMIT AFTER n = 2;\n",
      "n.test": `{ programs = [ { src = "n.ramen" } ]; outputs = { "n/s" => { timeout = 10; present = [ { "total" => "50"; "n" => "2" } ] } } }`,
    });
    const r = ramen(["test", path.join(dir, "n.test")]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/\(E\) n\/r: n\.csv:2: field v, column 2: .*\n/);
    expect(r.stdout).toContain("n/r: 2 errors!");
    expect(r.stdout).toContain("Test n: Success");
  });

  it("deletes files once read with THEN DELETE", () => {
    const dir = fixture({
      "in/a.csv": "1\n2\n",
      "in/b.csv": "3\n",
      "d.ramen": 'DEFINE r AS READ FROM FILES "in/*.csv" THEN DELETE AS CSV (x u8);\nDEFINE s AS FROM r SELECT SUM x AS total COMMIT AFTER total = 6;\n',
      "d.test": `{ programs = [ { src = "d.ramen" } ]; outputs = { "d/s" => { timeout = 10; present = [ { "total" => "6" } ] } } }`,
    });
    const r = ramen(["test", path.join(dir, "d.test")]);
    expect(r.stdout).toContain("Test d: Success");
    expect(readdirSync(path.join(dir, "in"))).toEqual([]);
  });

  it("journals notifications with the output fields as parameters, and keeps the state directory with -S", () => {
    const dir = fixture({
      "temps.csv": TEMPS_CSV,
      "alert.ramen": 'DEFINE r AS READ FROM FILE "temps.csv" AS CSV (city string, celsius float?);\nDEFINE hot AS FROM r WHERE COALESCE(celsius > 30, false) SELECT city, celsius NOTIFY "hot in " || city;\n',
      "alert.test": `{ programs = [ { src = "alert.ramen" } ]; outputs = { "alert/hot" => { timeout = 10; present = [ { "city" => "\\"paris\\"" } ] } } }`,
    });
    const r = ramen(["test", "-S", path.join(dir, "alert.test")]);
    expect(r.status).toBe(0);
    const kept = /state directory kept in (\S+)/.exec(r.stdout)?.[1];
    expect(kept).toBeDefined();
    cleanups.push(() => rmSync(kept!, { recursive: true, force: true }));
    expect(existsSync(kept!)).toBe(true);
    const journal = readFileSync(path.join(kept!, "alerting", "notifications.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(journal).toHaveLength(1);
    expect(journal[0]).toMatchObject({ worker: "alert/hot", name: "hot in paris", firing: true, parameters: { city: "paris", celsius: "31.5" } });
  });
});
