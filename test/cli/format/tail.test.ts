import { describe, expect, it } from "vitest";
import { T, notNull, nullable } from "../../../grammar/types.js";
import { SECONDS, SECONDS_REL } from "../../../grammar/units.js";
import type { OutputField } from "../../../cli/format/fields.js";
import { formatTable } from "../../../cli/format/table.js";
import { tailFormatter, type TailOptions } from "../../../cli/format/tail.js";
import { bytesOfText } from "../../../stdlib/values.js";
import { messageOf } from "./message-of.js";
import { inTimeZone } from "../../time-zone.js";

// Expected lines written by hand from cli-runtime.md §3.1–§3.3 and §6.5; dates in UTC.
inTimeZone("UTC");

const FIELDS: OutputField[] = [
  { name: "n", type: notNull(T.u32) },
  { name: "name", type: nullable(T.string) },
  { name: "_secret", type: notNull(T.i8) },
  { name: "t", type: notNull(T.float), units: SECONDS_REL },
  { name: "ratio", type: nullable(T.float) },
  { name: "took", type: notNull(T.float), units: SECONDS },
  { name: "big", type: notNull(T.u64) },
];

const TUPLE = [1, bytesOfText('a "b"'), -3, 60.5, 0.1, 90, 12345678901234567890n];
const WITH_NULLS = [2, null, 0, 0, null, 0, 0n];

const DEFAULTS: TailOptions = { separator: ",", nullText: "<NULL>", raw: false, withUnits: false, withEventTimes: false };


describe("lines", () => {
  it("prints every public field in output order, values per §3.1", () => {
    const f = tailFormatter(FIELDS, DEFAULTS);
    expect(f.columns.map((c) => c.name)).toEqual(["n", "name", "t", "ratio", "took", "big"]);
    expect(f.line(TUPLE)).toBe('1,"a \\"b\\"",60.5,0.1,90,12345678901234567890');
    expect(f.line(WITH_NULLS)).toBe("2,<NULL>,0,<NULL>,0,0");
  });

  it("honours the separator, the NULL text and raw strings", () => {
    const f = tailFormatter(FIELDS, { ...DEFAULTS, separator: "\t", nullText: "?", raw: true });
    expect(f.line(TUPLE)).toBe('1\ta "b"\t60.5\t0.1\t90\t12345678901234567890');
    expect(f.line(WITH_NULLS)).toBe("2\t?\t0\t?\t0\t0");
  });

  it("prints the listed fields in the order given", () => {
    const f = tailFormatter(FIELDS, { ...DEFAULTS, selected: ["ratio", "n"] });
    expect(f.line(TUPLE)).toBe("0.1,1");
    expect(tailFormatter(FIELDS, { ...DEFAULTS, selected: [] }).columns).toHaveLength(6);
  });

  it("rejects unknown and private fields", () => {
    expect(messageOf(() => tailFormatter(FIELDS, { ...DEFAULTS, selected: ["n", "nope"] }))).toBe(
      "Unknown field nope, should be one of n, name, t, ratio, took, big",
    );
    expect(messageOf(() => tailFormatter(FIELDS, { ...DEFAULTS, selected: ["_secret"] }))).toBe("Field _secret is private");
    expect(messageOf(() => tailFormatter(FIELDS, { ...DEFAULTS, selected: ["_other"] }))).toBe(
      "Unknown field _other, should be one of n, name, t, ratio, took, big",
    );
  });

  it("puts the event start and stop first, as dates", () => {
    const f = tailFormatter(FIELDS, { ...DEFAULTS, withEventTimes: true, selected: ["n"] });
    expect(f.line(TUPLE, 86_400 + 3661.7, 86_400 + 3700)).toBe("1970-01-02T01:01:01,1970-01-02T01:01:40,1");
    expect(f.line(TUPLE, null, undefined)).toBe("<NULL>,<NULL>,1");
  });
});

describe("header", () => {
  it("is # and the column names joined by the separator", () => {
    expect(tailFormatter(FIELDS, { ...DEFAULTS, withHeader: true }).header()).toBe("#n,name,t,ratio,took,big");
    expect(tailFormatter(FIELDS, { ...DEFAULTS, withHeader: true, separator: "|", selected: ["took", "n"] }).header()).toBe("#took|n");
  });

  it("has units after the names with -u", () => {
    const f = tailFormatter(FIELDS, { ...DEFAULTS, withHeader: true, withUnits: true, withEventTimes: true });
    expect(f.header()).toBe("#start{seconds(rel)},stop{seconds(rel)},n,name,t{seconds(rel)},ratio,took{seconds},big");
  });

  it("is absent without -h", () => {
    const f = tailFormatter(FIELDS, DEFAULTS);
    expect(f.header()).toBeUndefined();
    expect(tailFormatter(FIELDS, { ...DEFAULTS, withHeader: 0 }).header()).toBeUndefined();
  });

  /** What a command prints for `count` tuples when it asks for the header before each line. */
  function printed(opts: TailOptions, count: number): string[] {
    const f = tailFormatter(FIELDS, { ...opts, selected: ["n"] });
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const h = f.header();
      if (h !== undefined) out.push(h);
      out.push(f.line([i, null, 0, 0, null, 0, 0n]));
    }
    return out;
  }

  it("comes once at the top with -h, every N lines with -h=N", () => {
    expect(printed({ ...DEFAULTS, withHeader: true }, 3)).toEqual(["#n", "0", "1", "2"]);
    expect(printed({ ...DEFAULTS, withHeader: 2 }, 5)).toEqual(["#n", "0", "1", "#n", "2", "3", "#n", "4"]);
    expect(printed({ ...DEFAULTS, withHeader: 1 }, 2)).toEqual(["#n", "0", "#n", "1"]);
  });

  it("is given once even when asked twice, and with no line at all (-h -l 0)", () => {
    const f = tailFormatter(FIELDS, { ...DEFAULTS, withHeader: true });
    expect(f.header()).toBe("#n,name,t,ratio,took,big");
    expect(f.header()).toBeUndefined();
  });
});

describe("--pretty", () => {
  it("types the columns: seconds since the epoch as dates, seconds as durations", () => {
    const f = tailFormatter(FIELDS, { ...DEFAULTS, withEventTimes: true });
    expect(f.tableColumns()).toEqual([
      { name: "start", kind: "date" },
      { name: "stop", kind: "date" },
      { name: "n", kind: "int" },
      { name: "name", kind: "string" },
      { name: "t", kind: "date" },
      { name: "ratio", kind: "float" },
      { name: "took", kind: "duration" },
      { name: "big", kind: "int" },
    ]);
  });

  it("lays the tuples out as a §3.4 table, NULLs as the --null text", () => {
    const f = tailFormatter(FIELDS, { ...DEFAULTS, selected: ["n", "name", "ratio", "took", "t"] });
    const rows = [f.cells(TUPLE), f.cells(WITH_NULLS)];
    expect(formatTable(f.tableColumns(), rows, { pretty: true })).toEqual([
      "#n | name      |  ratio |  took |                   t",
      " 1 | \"a \\\"b\\\"\" |    0.1 | 1m30s | 1970-01-01T00:01:00",
      " 2 | <NULL>    | <NULL> |    0s | 1970-01-01T00:00:00",
    ]);
  });
});
