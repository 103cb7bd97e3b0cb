import { describe, expect, it } from "vitest";
import { formatTable, resolveColumn, type TableColumn } from "../../../cli/format/table.js";
import { messageOf } from "./message-of.js";
import { inTimeZone } from "../../time-zone.js";

// Expected lines written by hand from cli-runtime.md §3.2 and §3.4; dates in UTC.
inTimeZone("UTC");

const PS_LIKE: TableColumn[] = [
  { name: "site", kind: "string" },
  { name: "operation", kind: "string" },
  { name: "#in", kind: "int" },
  { name: "CPU", kind: "float" },
  { name: "last out", kind: "date" },
  { name: "archive duration", kind: "duration" },
  { name: "max #groups", kind: "int" },
  { name: "max heap", kind: "bytes" },
];

const ROWS = [
  ["s1", "p/b", 10, 0.5, 0, 3630, 2, 1024n],
  ["s1", "p/a", 7, 12.25, 86_400 + 61, 0.5, 3, 10n],
  ["s1", "p/c", undefined, 1 / 3, null, 86_400 + 600, undefined, 99n],
];


describe("default output", () => {
  it("separates values by tabs, without header, n/a for unknown values", () => {
    expect(formatTable(PS_LIKE, ROWS, { pretty: false })).toEqual([
      "s1\tp/b\t10\t0.5\t1970-01-01T00:00:00\t1h30s\t2\t1024",
      "s1\tp/a\t7\t12.25\t1970-01-02T00:01:01\t0.5s\t3\t10",
      "s1\tp/c\tn/a\t0.333333333333\tn/a\t1d10m\tn/a\t99",
    ]);
  });

  it("prints the header once with true, every N lines with N", () => {
    const header = "#site\toperation\t#in\tCPU\tlast out\tarchive duration\tmax #groups\tmax heap";
    const once = formatTable(PS_LIKE, ROWS, { pretty: false, withHeader: true });
    expect(once).toHaveLength(4);
    expect(once[0]).toBe(header);
    const every2 = formatTable(PS_LIKE, ROWS, { pretty: false, withHeader: 2 });
    expect(every2.map((l) => l.startsWith("#"))).toEqual([true, false, false, true, false]);
    expect(formatTable(PS_LIKE, ROWS, { pretty: false, withHeader: 0 })).toHaveLength(3);
  });

  it("prints only the header when there is no row", () => {
    expect(formatTable(PS_LIKE, [], { pretty: false, withHeader: true })).toHaveLength(1);
    expect(formatTable(PS_LIKE, [], { pretty: false })).toEqual([]);
  });

  it("prints an empty string cell as nothing, integers beyond 2^53 exactly", () => {
    const cols: TableColumn[] = [
      { name: "top-half", kind: "string" },
      { name: "volume", kind: "bytes" },
    ];
    expect(formatTable(cols, [["", 12345678901234567890n]], { pretty: false })).toEqual(["\t12345678901234567890"]);
  });
});

describe("sorting and top", () => {
  const operations = (opts: { sort?: string; top?: number }) => formatTable(PS_LIKE, ROWS, { pretty: false, ...opts }).map((l) => l.split("\t")[1]);

  it("sorts strings ascending by column number", () => {
    expect(operations({ sort: "1" })).toEqual(["p/a", "p/b", "p/c"]);
  });
  it("sorts numbers, dates and durations descending, unknown values last", () => {
    expect(operations({ sort: "2" })).toEqual(["p/b", "p/a", "p/c"]);
    expect(operations({ sort: "cpu" })).toEqual(["p/a", "p/b", "p/c"]);
    expect(operations({ sort: "last" })).toEqual(["p/a", "p/b", "p/c"]);
    expect(operations({ sort: "archive" })).toEqual(["p/c", "p/b", "p/a"]);
    expect(operations({ sort: "maxhe" })).toEqual(["p/b", "p/c", "p/a"]);
  });
  it("keeps the first N lines after sorting", () => {
    expect(operations({ sort: "op", top: 2 })).toEqual(["p/a", "p/b"]);
    expect(operations({ top: 0 })).toEqual([]);
    expect(operations({ top: 10 })).toEqual(["p/b", "p/a", "p/c"]);
  });
  it("keeps the original order of equal values", () => {
    expect(operations({ sort: "site" })).toEqual(["p/b", "p/a", "p/c"]);
  });
});

describe("resolveColumn", () => {
  it("takes 0-based numbers", () => {
    expect(resolveColumn(PS_LIKE, "0")).toBe(0);
    expect(resolveColumn(PS_LIKE, "7")).toBe(7);
  });
  it("takes unique case-insensitive prefixes, spaces ignored", () => {
    expect(resolveColumn(PS_LIKE, "OPER")).toBe(1);
    expect(resolveColumn(PS_LIKE, "#i")).toBe(2);
    expect(resolveColumn(PS_LIKE, "max #")).toBe(6);
    expect(resolveColumn(PS_LIKE, "maxh")).toBe(7);
    expect(resolveColumn(PS_LIKE, "Max Heap")).toBe(7);
  });
  it("prefers a full name to the longer names it prefixes", () => {
    const cols = [{ name: "heap" }, { name: "heap max" }];
    expect(resolveColumn(cols, "heap")).toBe(0);
    expect(resolveColumn(cols, "heapm")).toBe(1);
  });
  it("rejects unknown and ambiguous columns", () => {
    expect(messageOf(() => resolveColumn(PS_LIKE, "zz"))).toBe('Unknown column "zz"');
    expect(messageOf(() => resolveColumn(PS_LIKE, "8"))).toBe('Unknown column "8"');
    expect(messageOf(() => resolveColumn(PS_LIKE, ""))).toBe('Unknown column ""');
    expect(messageOf(() => resolveColumn(PS_LIKE, "max"))).toBe('Ambiguous column "max" (could be max #groups, max heap)');
    expect(messageOf(() => formatTable(PS_LIKE, ROWS, { pretty: false, sort: "max" }))).toBe('Ambiguous column "max" (could be max #groups, max heap)');
  });
});

describe("--pretty", () => {
  const cols: TableColumn[] = [
    { name: "name", kind: "string" },
    { name: "n", kind: "int" },
    { name: "x", kind: "float" },
  ];
  const rows = [
    ["a", 1, 1.5],
    ["bbb", 100, 22.25],
    ["cc", undefined, 3],
  ];

  it("aligns strings left, numbers right, floats on the decimal point, with a header", () => {
    expect(formatTable(cols, rows, { pretty: true })).toEqual([
      "#name |   n |     x",
      "a     |   1 |  1.5",
      "bbb   | 100 | 22.25",
      "cc    | n/a |  3",
    ]);
  });

  it("right-aligns texts without digits in a float column as a whole", () => {
    expect(formatTable([{ name: "x", kind: "float" }], [[1.5], [22.25], [undefined], [NaN]], { pretty: true })).toEqual([
      "#   x",
      " 1.5",
      "22.25",
      "  n/a",
      "  nan",
    ]);
  });

  it("can go without header, and repeat it", () => {
    expect(formatTable(cols, rows, { pretty: true, withHeader: false })).toEqual(["a     |   1 |  1.5", "bbb   | 100 | 22.25", "cc    | n/a |  3"]);
    expect(formatTable(cols, rows, { pretty: true, withHeader: 2 })[3]).toBe("#name |   n |     x");
  });

  it("widens a column to its header and right-aligns dates and durations", () => {
    const timeCols: TableColumn[] = [
      { name: "when", kind: "date" },
      { name: "how long it took", kind: "duration" },
    ];
    expect(formatTable(timeCols, [[0, 10], [60, 3600]], { pretty: true })).toEqual([
      "#              when | how long it took",
      "1970-01-01T00:00:00 |              10s",
      "1970-01-01T00:01:00 |               1h",
    ]);
  });

  it("counts UTF-8 text by characters", () => {
    const c: TableColumn[] = [
      { name: "s", kind: "string" },
      { name: "n", kind: "int" },
    ];
    expect(formatTable(c, [["é", 1], ["ab", 2]], { pretty: true, withHeader: false })).toEqual(["é  | 1", "ab | 2"]);
  });
});
