import { describe, expect, it } from "vitest";
import { T, notNull, nullable } from "../../../grammar/types.js";
import { Checker } from "../../../runtime/testing/checker.js";
import { compileOutput, type OutputField } from "../../../runtime/testing/expect.js";
import { testDescription, type TestOutput } from "../../../runtime/testing/schema.js";
import { Value } from "../../../stdlib/values.js";
import { source, specExample, thrown } from "./helpers.js";

// The function `temps/converted` of test-format.md §5.1 and the tuples it outputs from temps.csv.
const CONVERTED: OutputField[] = [
  { name: "city", type: notNull(T.string) },
  { name: "fahrenheit", type: nullable(T.float) },
];
const TEMPS: readonly Value[][] = [
  ["paris", 31.5 * 1.8 + 32],
  ["oslo", 18 * 1.8 + 32],
  ["lima", null],
  ["berlin", -2.5 * 1.8 + 32],
];

function tempsOutput(text = specExample("weather/temps.test")): TestOutput {
  return testDescription(source(text, "/x/weather/temps.test")).outputs[0]!;
}

function checker(output: TestOutput, fields: readonly OutputField[], startTime = 100): Checker {
  return new Checker(compileOutput(output, fields), { startTime });
}

function spec(fq: string, present: Record<string, string>[], absent: Record<string, string>[] = [], timeout = 10): TestOutput {
  const s = (r: Record<string, string>) => Object.entries(r).map(([field, text]) => ({ field, text }));
  return { fq, present: present.map(s), absent: absent.map(s), timeout };
}

const N: OutputField[] = [
  { name: "n", type: notNull(T.u32) },
  { name: "s", type: notNull(T.string) },
];
const messages = (c: Checker) => c.diagnostics.map((d) => `${d.severity}: ${d.message}`);

describe("checker of §5.1", () => {
  it("succeeds on the tuples of temps.csv, before the timeout, once the three present specs are found", () => {
    const c = checker(tempsOutput(), CONVERTED);
    expect(c.feed(TEMPS[0]!, 100.1)).toBe("running");
    expect(c.feed(TEMPS[1]!, 100.2)).toBe("running");
    expect(c.feed(TEMPS[2]!, 100.3)).toBe("running");
    expect(c.feed(TEMPS[3]!, 100.4)).toBe("success");
    expect(c.diagnostics).toEqual([]);
    expect(c.enumerated).toBe(4);
  });

  it("§5.3: with 88.8 expected for paris, fails at the timeout with the spec's message", () => {
    const text = specExample("weather/temps.test").replace('"fahrenheit" => "88.7"', '"fahrenheit" => "88.8"');
    const c = checker(tempsOutput(text), CONVERTED);
    expect(c.deadline).toBe(110);
    for (const t of TEMPS) expect(c.feed(t, 101)).toBe("running");
    expect(c.tick(109.9)).toBe("running");
    expect(c.tick(110)).toBe("failure");
    expect(messages(c)).toEqual([
      'error: temps/converted: enumerated 4 tuples but found no tuple matching:\n  { city => "paris"; fahrenheit => 88.8 (had 88.7) }\n  (if the values look right, try raising the timeout)',
    ]);
  });

  it("§5.3: \"eighty\" aborts before anything runs", () => {
    const text = specExample("weather/temps.test").replace('"fahrenheit" => "88.7"', '"fahrenheit" => "eighty"');
    expect(thrown(() => checker(tempsOutput(text), CONVERTED)).message).toBe(
      'Cannot parse expected value "eighty" for field fahrenheit of temps/converted (float?): expected a number',
    );
  });
});

describe("checker", () => {
  it("matches present specs in any order, one tuple satisfying several, a spec listed twice needing one tuple", () => {
    const c = checker(spec("p/f", [{ n: "2" }, { s: '"b"' }, { n: "1" }, { n: "1" }]), N);
    expect(c.feed([1, "a"], 0)).toBe("running");
    expect(c.feed([2, "b"], 0)).toBe("success");
    expect(c.enumerated).toBe(2);
  });

  it("fails on a tuple equal to an absent spec on its fields, with all public fields in the message", () => {
    const c = checker(spec("p/f", [{ n: "9" }], [{ s: '"bad"' }]), N);
    expect(c.feed([1, "good"], 0)).toBe("running");
    expect(c.feed([2, "bad"], 0)).toBe("failure");
    expect(messages(c)).toEqual(['error: p/f: enumerated 2 tuples and found this forbidden tuple:\n  { n => 2; s => "bad" }']);
    // A finished checker counts nothing more.
    expect(c.feed([9, "x"], 0)).toBe("failure");
    expect(c.enumerated).toBe(2);
  });

  it("compares absent specs exactly, without tolerance", () => {
    const fields: OutputField[] = [{ name: "x", type: notNull(T.float) }];
    const c = checker(spec("p/f", [], [{ x: "1" }], 5), fields, 0);
    expect(c.feed([1 + 1e-9], 1)).toBe("running");
    expect(c.tick(5)).toBe("success");
    expect(c.diagnostics).toEqual([]);
  });

  it("stops at the last present spec: later forbidden tuples are not seen", () => {
    const c = checker(spec("p/f", [{ n: "1" }], [{ n: "2" }]), N);
    expect(c.feed([1, "a"], 0)).toBe("success");
    expect(c.feed([2, "a"], 0)).toBe("success");
  });

  it("watches absent-only outputs for the whole timeout", () => {
    const c = checker(spec("p/f", [], [{ n: "2" }], 3), N, 10);
    expect(c.feed([1, "a"], 11)).toBe("running");
    expect(c.tick(12.9)).toBe("running");
    expect(c.tick(13)).toBe("success");
    const d = checker(spec("p/f", [], [{ n: "2" }], 3), N, 10);
    expect(d.feed([2, "a"], 12)).toBe("failure");
    expect(messages(d)).toEqual(['error: p/f: enumerated 1 tuple and found this forbidden tuple:\n  { n => 2; s => "a" }']);
  });

  it("succeeds at once with a warning when there is nothing to check", () => {
    const c = checker(spec("p/f", []), N);
    expect(c.state).toBe("success");
    expect(messages(c)).toEqual(["warning: p/f: nothing to check"]);
  });

  it("reports each missing spec at the timeout with its closest tuple, `had` only where it differs", () => {
    const c = checker(spec("p/f", [{ n: "1", s: '"a"' }, { s: '"bb"' }, { n: "7" }], [], 2), N, 0);
    // For the first spec: [2, "bb"] differs in 2 fields; [30, "a"] and [3, "a"] in one, [3, "a"] by less.
    expect(c.feed([2, "bb"], 0.5)).toBe("running");
    expect(c.feed([30, "a"], 0.6)).toBe("running");
    expect(c.feed([3, "a"], 0.7)).toBe("running");
    expect(c.tick(2)).toBe("failure");
    expect(messages(c)).toEqual([
      'error: p/f: enumerated 3 tuples but found no tuple matching:\n  { n => 1 (had 3); s => "a" }\n  (if the values look right, try raising the timeout)',
      "error: p/f: enumerated 3 tuples but found no tuple matching:\n  { n => 7 (had 3) }\n  (if the values look right, try raising the timeout)",
    ]);
  });

  it("says tuple for one tuple", () => {
    const c = checker(spec("p/f", [{ n: "1" }], [], 2), N, 0);
    c.feed([5, "a"], 1);
    expect(c.tick(2)).toBe("failure");
    expect(messages(c)).toEqual(["error: p/f: enumerated 1 tuple but found no tuple matching:\n  { n => 1 (had 5) }\n  (if the values look right, try raising the timeout)"]);
  });

  it("does not count tuples that arrive after the deadline", () => {
    const c = checker(spec("p/f", [{ n: "1" }], [], 2), N, 0);
    expect(c.feed([1, "a"], 2)).toBe("failure");
    expect(messages(c)).toEqual(["error: p/f: no tuple was output within 2s"]);
  });

  it("scales the timeout by the timeout factor", () => {
    const c = new Checker(compileOutput(spec("p/f", [{ n: "1" }], [], 2.5), N), { startTime: 1, timeoutFactor: 2 });
    expect(c.deadline).toBe(6);
    expect(c.tick(6)).toBe("failure");
    expect(messages(c)).toEqual(["error: p/f: no tuple was output within 5s"]);
  });

  it("refuses expected maps, which have no literal", () => {
    const fields: OutputField[] = [{ name: "m", type: notNull(T.map(notNull(T.string), notNull(T.u8))) }];
    expect(thrown(() => compileOutput(spec("p/f", [{ m: "{}" }]), fields)).diagnostics[0]!.code).toBe("RQ8202");
  });
});
