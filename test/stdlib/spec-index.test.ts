// Every function of the language's alphabetical index (raql.md §6.9) is in
// the registry, with a vector file: a function the spec gains and nobody
// implements fails here. The mapping from index words to canonical names is
// written by hand from the spec's syntax tables (stdlib/README.md).

import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseExpression } from "../../grammar/index.js";
import { entryOf } from "../../stdlib/registry.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SPEC = path.resolve(HERE, "../../../shared/spec/raql.md");
const VECTORS = path.resolve(HERE, "../../stdlib/vectors");

/** Index words whose syntax is an AST form of its own rather than a registry entry, with an example. */
const SYNTAX_FORMS: Record<string, string> = {
  CASE: "CASE WHEN true THEN 1 ELSE 2 END",
  CAST: "CAST(1 AS float)",
  IF: "IF true THEN 1 ELSE 2",
};

const REGISTRY_NAMES: Record<string, readonly string[]> = {
  ABS: ["abs"], ACOS: ["acos"], AGE: ["age"], ALL: ["group"], "AND (aggr)": ["agg_and"], ASIN: ["asin"],
  ATAN: ["atan"], AVG: ["avg"], BASENAME: ["basename"], "BEGIN OF": ["begin_of"], BITAND: ["bitand"],
  BITOR: ["bitor"], BITXOR: ["bitxor"], CEIL: ["ceil"], CHANGED: ["changed"], CHR: ["chr"],
  COALESCE: ["coalesce"], COS: ["cos"], COSH: ["cosh"], COUNT: ["count"], "COUNTRYCODE/COUNTRY_CODE": ["countrycode"],
  DERIVE: ["derive"], DISTINCT: ["distinct"], EARLIER: ["earlier"], "END OF": ["end_of"], "EVERY / ONCE EVERY": ["every"],
  EXP: ["exp"], FIRST: ["first"], FIT: ["fit"], FIT_MULTI: ["fit_multi"], FLOOR: ["floor"], FORCE: ["force"],
  FORMAT_TIME: ["format_time"], GET: ["get"], GREATEST: ["greatest"], GROUP: ["group"], HASH: ["hash"],
  HISTOGRAM: ["histogram"], HYSTERESIS: ["hysteresis"], IN: ["in"], "INDEX (FROM START/END)": ["index", "index_from_end"],
  "IPFAMILY/IP_FAMILY": ["ipfamily"], "IS [NOT] NULL": ["is_null", "is_not_null"], "k-MOVEAVG/k-MA": ["moveavg"],
  LAG: ["lag"], LARGEST: ["largest"], LAST: ["last"], LATEST: ["latest"], LEAST: ["least"], LENGTH: ["length"],
  LIKE: ["like"], "LIST TOP / IS … IN TOP / RANK OF … IN TOP": ["top"], LOG: ["log"], LOG10: ["log10"], LOWER: ["lower"],
  MAPADD: ["mapadd"], MAX: ["max", "greatest"], MIN: ["min", "least"], MOVEAVG: ["moveavg"], Nth: ["get"], NOT: ["not"],
  NOW: ["now"], OLDEST: ["oldest"], "ONE OUT OF": ["one_out_of"], "OR (aggr)": ["agg_or"], PARSE_TIME: ["parse_time"],
  PAST: ["past"], PEEK: ["peek"], PERCENTILE: ["percentile"], PI: ["pi"], PRINT: ["print"], RANDOM: ["random"],
  RECALL: ["recall"], RELDIFF: ["reldiff"], REMEMBER: ["remember"], ROUND: ["round"], SAMPLE: ["sample"],
  SEASON_FIT_MULTI: ["season_fit_multi"], SEASON_MOVEAVG: ["season_moveavg"], SIN: ["sin"], SINH: ["sinh"],
  SMALLEST: ["smallest"], SMOOTH: ["smooth"], SMOOTH_DAMPED_HOLT: ["smooth_damped_holt"],
  SMOOTH_DAMPED_HOLT_WINTER: ["smooth_damped_holt_winter"], SPARKLINE: ["sparkline"], SPLIT: ["split"],
  "SQ/SQUARE": ["sq"], SQRT: ["sqrt"], "STARTS/ENDS WITH": ["starts_with", "ends_with"], SUBSTRING: ["substring"],
  SUM: ["sum"], TAN: ["tan"], TANH: ["tanh"], TRUNCATE: ["truncate"], UPPER: ["upper"], UUID_OF_U128: ["uuid_of_u128"],
  VARIANT: ["variant"], "`#start`": ["event_start"], "`#stop`": ["event_stop"],
};

function specIndex(): string[] {
  const text = readFileSync(SPEC, "utf8");
  const start = text.indexOf("### 6.9 Alphabetical index");
  const end = text.indexOf("\n---", start);
  const body = text.slice(text.indexOf("\n", start), end).replace(/\s+/g, " ").trim().replace(/\.$/, "");
  return body.split(", ").map((w) => w.trim());
}

describe("the alphabetical index of raql.md §6.9", () => {
  const words = specIndex();

  it("is read from the spec", () => {
    expect(words.length).toBeGreaterThan(100);
    expect(words).toContain("HYSTERESIS");
  });

  it.each(words)("%s is implemented", (word) => {
    const form = SYNTAX_FORMS[word];
    if (form !== undefined) {
      expect(() => parseExpression(form)).not.toThrow();
      return;
    }
    const names = REGISTRY_NAMES[word];
    expect(names, `no mapping for index word ${word}`).toBeDefined();
    for (const name of names!) {
      const entry = entryOf(name);
      expect(entry, `registry entry ${name}`).toBeDefined();
      expect(entry!.doc.length).toBeGreaterThan(0);
      expect(existsSync(path.join(VECTORS, `${name}.json`)), `vectors/${name}.json`).toBe(true);
    }
  });
});
