import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type MessageContext, type TemplateValue, expandTemplate, messageVariables, shellQuote } from "../../../runtime/alerting/index.js";
import { notification, recordingLog } from "./helpers.js";
import { inTimeZone } from "../../time-zone.js";

/** Expands `template` with a single variable x = `value`. */
function withX(template: string, value: TemplateValue, log = recordingLog()): string {
  return expandTemplate(template, (v) => (v === "x" ? value : undefined), log);
}

function context(over: Partial<MessageContext> = {}): MessageContext {
  return {
    notification: notification({ parameters: { host: "db1", celsius: "31.5" } }),
    incidentId: "inc-1",
    firing: true,
    start: 1700000000,
    stop: null,
    now: 1700000060.25,
    hostname: "box",
    ...over,
  };
}

/** What /bin/sh makes of `printf %s <word>`. */
function shellPrintf(word: string): string {
  const r = spawnSync("/bin/sh", ["-c", `printf %s ${word}`], { encoding: "utf8" });
  expect(r.status).toBe(0);
  return r.stdout;
}

const NASTY = [
  "",
  "'",
  "''",
  "it's",
  "'; echo pwned; '",
  "$(echo pwned)",
  "`echo pwned`",
  "$HOME ${PATH}",
  "\\",
  "\\'",
  '"double" and \\"escaped\\"',
  "a\nb\n",
  "\t tabs and  spaces ",
  "*",
  "-n",
  "--",
  "a; rm -rf /nonexistent-dir; b",
  "| cat",
  "!!",
  "%s %d %%",
  "é日本語 🎉",
];

/** Any character but NUL (a command line cannot hold one), often one the shell treats specially. */
const shellyChar = fc.oneof(
  fc.constantFrom(..."'\"\\$`\n\t *?!()[]{};|&<>#~%-="),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }).filter((c) => c !== "\0"),
);

describe("the shell filter", () => {
  it.each(NASTY)("gives /bin/sh back the exact string %j", (s) => {
    expect(shellPrintf(withX("${x|shell}", s))).toBe(s);
  });

  it("gives /bin/sh back any string without NUL", () => {
    fc.assert(
      fc.property(fc.string({ unit: shellyChar, maxLength: 40 }), (s) => {
        expect(shellPrintf(withX("${x|shell}", s))).toBe(s);
      }),
      { numRuns: 60 },
    );
  });

  it("is POSIX single quoting", () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(withX("${x|shell}", null)).toBe("''");
    expect(withX("${x|shell}", 0.5)).toBe("'0.5'");
  });
});

describe("the other filters", () => {
  it("json: a JSON value that parses back to the variable", () => {
    for (const s of NASTY) expect(JSON.parse(withX("${x|json}", s))).toBe(s);
    expect(withX("${x|json}", null)).toBe("null");
    expect(withX("${x|json}", true)).toBe("true");
    expect(withX("${x|json}", 1700000000.5)).toBe("1700000000.5");
    expect(withX("${x|json}", "31.5")).toBe('"31.5"');
  });

  it("sql: quotes doubled inside single quotes, NULL, numbers and booleans bare", () => {
    expect(withX("${x|sql}", "O'Brien")).toBe("'O''Brien'");
    expect(withX("${x|sql}", "''")).toBe("''''''");
    expect(withX("${x|sql}", null)).toBe("NULL");
    expect(withX("${x|sql}", 0.25)).toBe("0.25");
    expect(withX("${x|sql}", false)).toBe("FALSE");
  });

  it("int: truncated toward zero, from numbers and numeric strings", () => {
    expect(withX("${x|int}", 1700000000.75)).toBe("1700000000");
    expect(withX("${x|int}", "3.9")).toBe("3");
    expect(withX("${x|int}", " -3.9 ")).toBe("-3");
    expect(withX("${x|int}", "1e21")).toBe("1000000000000000000000");
    expect(withX("${x|int}", true)).toBe("1");
    expect(withX("${x|int}", null)).toBe("");
  });

  describe("date", () => {
    inTimeZone("UTC");

    it("a UNIX time as local YYYY-MM-DDTHH:MM:SS", () => {
      process.env["TZ"] = "UTC";
      // 1700000000 = 19675 days + 80000 s after the epoch; day 19675 is 2023-11-14
      expect(withX("${x|date}", 1700000000)).toBe("2023-11-14T22:13:20");
      expect(withX("${x|date}", "1700000000.9")).toBe("2023-11-14T22:13:20");
      process.env["TZ"] = "Asia/Kolkata";
      expect(withX("${x|date}", 1700000000)).toBe("2023-11-15T03:43:20");
      expect(withX("${x|date}", null)).toBe("");
    });
  });

  it("filters chain from left to right", () => {
    expect(withX("${x|int|json}", 12.7)).toBe("12");
    expect(withX("${x|int|shell}", "-4.5")).toBe("'-4'");
    expect(withX("${x|json|shell}", "a'b")).toBe(`'"a'\\''b"'`);
  });

  it("a value a filter cannot convert gives ??var?? and a warning", () => {
    const log = recordingLog();
    expect(withX("<${x|int}>", "abc", log)).toBe("<??x??>");
    expect(withX("<${x|date}>", "yesterday", log)).toBe("<??x??>");
    expect(log.of("warning")).toEqual([
      'filter int cannot convert "abc" (variable x of template <${x|int}>)',
      'filter date cannot convert "yesterday" (variable x of template <${x|date}>)',
    ]);
  });

  it("an unknown filter gives ??var?? and a warning", () => {
    const log = recordingLog();
    expect(withX("${x|upper}", "a", log)).toBe("??x??");
    expect(log.of("warning")).toEqual(["unknown filter upper in template ${x|upper} (filters: shell, json, sql, int, date)"]);
  });
});

describe("variables", () => {
  it("an unknown variable gives ??var?? and a warning", () => {
    const log = recordingLog();
    expect(withX("a ${nope} b ${x}", "X", log)).toBe("a ??nope?? b X");
    expect(log.of("warning")).toEqual(["unknown variable nope in template a ${nope} b ${x}"]);
  });

  it("without filter, values are inserted as they are; text outside placeholders is kept", () => {
    expect(withX("echo ${x} $x {x} $${x}", "'$(a)'")).toBe("echo '$(a)' $x {x} $'$(a)'");
    expect(withX("${ x | json }", "a")).toBe('"a"');
    expect(withX("unterminated ${x", "a")).toBe("unterminated ${x");
  });

  it("every built-in variable of a message", () => {
    const n = notification({ site: "s", worker: "p/f", name: "hot", certainty: 0.75, test: true });
    const vars = messageVariables(context({ notification: n, incidentId: "i-9", firing: false, start: 10, stop: 20.5, now: 30 }));
    const text = expandTemplate(
      "${name}|${incident_id}|${start}|${stop}|${now}|${site}|${worker}|${firing}|${certainty}|${test}|${hostname}",
      vars,
      recordingLog(),
    );
    expect(text).toBe("hot|i-9|10|20.5|30|s|p/f|false|0.75|true|box");
  });

  it("notification parameters, which come before the built-in variables of the same name", () => {
    const n = notification({ name: "hot", parameters: { host: "db1", name: "from the tuple" } });
    const vars = messageVariables(context({ notification: n }));
    expect(expandTemplate("${host} ${name}", vars, recordingLog())).toBe("db1 from the tuple");
  });

  it("stop is empty while the incident is firing", () => {
    const vars = messageVariables(context());
    expect(expandTemplate("[${stop}] ${stop|json} ${stop|sql}", vars, recordingLog())).toBe("[] null NULL");
  });
});
