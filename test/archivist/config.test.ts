// The archivist's user configuration (archival.md §4.2): defaults, durations,
// pattern matching, and one test per validation message.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RamenError, isRamenError } from "../../grammar/diagnostics.js";
import { DEFAULT_CONFIG, findRetentionRule, parseConfig, readConfig } from "../../runtime/archivist/config.js";

function failure(action: () => unknown): RamenError {
  try {
    action();
  } catch (err) {
    if (isRamenError(err)) return err;
    throw err;
  }
  throw new Error("expected a RamenError");
}

const parse = (json: unknown) => parseConfig(json, "config.json");
const retention = (config: ReturnType<typeof parse>, fq: string, site = "local") =>
  findRetentionRule(config, site, fq)?.retention;

describe("values", () => {
  it("defaults: 1 GiB, 1e-6, no retention", () => {
    expect(parse({})).toEqual({ sizeLimit: 1073741824, recallCost: 1e-6, retentions: [] });
    expect(DEFAULT_CONFIG).toEqual(parse({}));
  });

  it("an absent file means the defaults", () => {
    expect(readConfig(join(tmpdir(), "no-such-dir-ramen", "config.json"))).toEqual(DEFAULT_CONFIG);
  });

  it("durations in seconds or as RaQL duration strings; period defaults to 600", () => {
    const config = parse({
      size_limit: 5000,
      recall_cost: 0,
      retentions: {
        "a/n": { duration: 120.5, period: 60 },
        "a/h": { duration: "1h" },
        "a/mix": { duration: "1h30min", period: "1 minute" },
        "a/long": { duration: "2 minutes, 3 seconds and 400 milliseconds" },
      },
    });
    expect(config.sizeLimit).toBe(5000);
    expect(config.recallCost).toBe(0);
    expect(retention(config, "a/n")).toEqual({ duration: 120.5, period: 60 });
    expect(retention(config, "a/h")).toEqual({ duration: 3600, period: 600 });
    expect(retention(config, "a/mix")).toEqual({ duration: 5400, period: 60 });
    expect(retention(config, "a/long")).toEqual({ duration: 123.4, period: 600 });
  });
});

describe("patterns", () => {
  const config = parse({
    retentions: {
      "server1:children/*": { duration: 1 },
      "web/top_?": { duration: 2 },
      "web/*": { duration: 3 },
      "*/alert": { duration: 4 },
      "a.b/(x)+": { duration: 5 },
    },
  });
  const durationOf = (fq: string, site = "local") => retention(config, fq, site)?.duration;

  it("* matches any run of characters, / included", () => {
    expect(durationOf("web/deep/path/f")).toBe(3);
    expect(durationOf("x/y/z/alert")).toBe(4);
    expect(durationOf("alert")).toBeUndefined();
  });

  it("? matches exactly one character", () => {
    expect(durationOf("web/top_1")).toBe(2);
    expect(durationOf("web/top_12")).toBe(3);
    expect(durationOf("web/top_")).toBe(3);
  });

  it("a pattern with a site matches site:fq, others match fq only", () => {
    expect(durationOf("children/a", "server1")).toBe(1);
    expect(durationOf("children/a", "server2")).toBeUndefined();
    expect(durationOf("children/a")).toBeUndefined();
  });

  it("the first matching entry wins, in file order", () => {
    expect(durationOf("web/top_x")).toBe(2);
    expect(durationOf("web/alert")).toBe(3);
  });

  it("other characters match themselves", () => {
    expect(durationOf("a.b/(x)+")).toBe(5);
    expect(durationOf("aXb/(x)+")).toBeUndefined();
    expect(durationOf("a.b/xx")).toBeUndefined();
  });
});

describe("one error per message", () => {
  const dir = mkdtempSync(join(tmpdir(), "ramen-archivist-config-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("archivistFileError: malformed JSON names the file", () => {
    const path = join(dir, "config.json");
    writeFileSync(path, '{"size_limit": 12,');
    const error = failure(() => readConfig(path));
    expect(error.diagnostics[0]!.key).toBe("archivistFileError");
    expect(error.message.startsWith(`${path}: `)).toBe(true);
    expect(error.message).toMatch(/JSON/);
  });

  it("archivistUnknownKey: at the top and in a retention", () => {
    const top = failure(() => parse({ size_limt: 12 }));
    expect(top.diagnostics[0]!.key).toBe("archivistUnknownKey");
    expect(top.message).toBe(
      'config.json: unknown key "size_limt" in the archivist configuration (allowed: size_limit, recall_cost, retentions)',
    );
    const inner = failure(() => parse({ retentions: { "a/*": { duration: 1, perriod: 2 } } }));
    expect(inner.message).toBe('config.json: unknown key "perriod" in retention a/* (allowed: duration, period)');
  });

  it("archivistWrongType: values of the wrong kind", () => {
    const cases: [unknown, string][] = [
      [[], "config.json: the archivist configuration must be a JSON object, got []"],
      [{ size_limit: "1GB" }, 'config.json: size_limit must be a number, got "1GB"'],
      [{ size_limit: 0 }, "config.json: size_limit must be a positive number of bytes, got 0"],
      [{ recall_cost: -1 }, "config.json: recall_cost must be a non-negative number, got -1"],
      [{ retentions: ["a"] }, 'config.json: retentions must be a JSON object, got ["a"]'],
      [{ retentions: { "a/b": 3600 } }, "config.json: retention a/b must be a JSON object, got 3600"],
      [{ retentions: { "a/b": { duration: true } } }, "config.json: duration of a/b must be a number, got true"],
    ];
    for (const [json, message] of cases) {
      const error = failure(() => parse(json));
      expect(error.diagnostics[0]!.key).toBe("archivistWrongType");
      expect(error.message).toBe(message);
    }
  });

  it("archivistBadPattern: empty, shell glob syntax, misplaced site separators", () => {
    const cases: [string, string][] = [
      ["", "it is empty"],
      ["web/[ab]", "[ is not supported (only * and ? are wildcards)"],
      ["web/{a,b}", "{ is not supported (only * and ? are wildcards)"],
      ["a:b:c", "it has several ':' (expected site:program/function)"],
      [":web/f", "a site:program/function pattern needs both a site and a function part"],
      ["site:", "a site:program/function pattern needs both a site and a function part"],
    ];
    for (const [pattern, reason] of cases) {
      const error = failure(() => parse({ retentions: { [pattern]: { duration: 1 } } }));
      expect(error.diagnostics[0]!.key).toBe("archivistBadPattern");
      expect(error.message).toBe(`config.json: invalid retention pattern ${JSON.stringify(pattern)}: ${reason}`);
    }
  });

  it("archivistNegativeDuration: duration and period", () => {
    const duration = failure(() => parse({ retentions: { "a/b": { duration: -5 } } }));
    expect(duration.diagnostics[0]!.key).toBe("archivistNegativeDuration");
    expect(duration.message).toBe("config.json: duration of a/b must not be negative, got -5");
    const period = failure(() => parse({ retentions: { "a/b": { duration: 5, period: -1 } } }));
    expect(period.message).toBe("config.json: period of a/b must not be negative, got -1");
  });

  it("archivistNotADuration: strings that are not RaQL duration literals", () => {
    for (const text of ["5m", "3600", "an hour", "1h + 1", "-1h", ""]) {
      const error = failure(() => parse({ retentions: { "a/b": { duration: text } } }));
      expect(error.diagnostics[0]!.key).toBe("archivistNotADuration");
      expect(error.diagnostics[0]!.message).toBe(
        `config.json: duration of a/b: ${JSON.stringify(text)} is not a RaQL duration (such as "1h" or "90 seconds")`,
      );
    }
    // the parser's own explanation comes along
    const negative = failure(() => parse({ retentions: { "a/b": { duration: "-1h" } } }));
    expect(negative.diagnostics[0]!.notes).toEqual(["durations must be greater than zero"]);
  });

  it("archivistMissingDuration", () => {
    const error = failure(() => parse({ retentions: { "a/b": { period: 60 } } }));
    expect(error.diagnostics[0]!.key).toBe("archivistMissingDuration");
    expect(error.message).toBe("config.json: retention a/b has no duration");
  });
});
