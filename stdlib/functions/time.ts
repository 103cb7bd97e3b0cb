// Time functions (raql.md §6.3 FORMAT_TIME / PARSE_TIME, §6.4 AGE). Times are
// UNIX seconds as floats; the local time zone is the process's (TZ).

import { T } from "../../grammar/types.js";
import type { FunctionEntry, ImplCall } from "../entry.js";
import { toFloat } from "../ints.js";
import { formatTime, parseTime } from "../timefmt.js";
import { anyNullable, expectNumeric, expectType } from "../typing.js";
import { convertTo, result } from "./common.js";

function now(call: ImplCall): number {
  return call.now ? call.now() : Date.now() / 1000;
}

const age: FunctionEntry = {
  name: "age",
  names: ["AGE"],
  syntax: { kind: "function", arities: [1] },
  state: "stateless",
  deterministic: false,
  nullRule: "prop",
  signature: "num -> float {seconds}",
  doc: "How long ago a UNIX time was: NOW - t, in seconds (negative for a time in the future).",
  examples: ["AGE(NOW - 60) = 60", "AGE(#start) > 1h"],
  typing(call) {
    expectNumeric(call, 0, "a time (numeric)");
    convertTo(call, 0, T.float);
    return result(T.float, anyNullable(call));
  },
  units: "seconds",
  impl: {
    kind: "stateless",
    apply: (args, call) => now(call) - toFloat(args[0] as number | bigint),
  },
};

const formatTimeEntry: FunctionEntry = {
  name: "format_time",
  names: ["FORMAT_TIME"],
  syntax: { kind: "function", arities: [2] },
  state: "stateless",
  deterministic: true,
  nullRule: "prop",
  signature: "string, num -> string",
  doc:
    "Formats the UNIX time t in the local time zone, replacing in fmt: %Y year, %m month 01-12, %d day 01-31, " +
    "%H hour 00-23, %M minute 00-59, %S seconds with two decimals (05.25), %j day of the year from 0, " +
    "%u day of the week from 0 (Sunday), %s the timestamp, %n newline, %t tab; other text is copied.",
  examples: ['FORMAT_TIME("%Y-%m-%d %H:%M:%S", 0) = "1970-01-01 00:00:00.00" (in UTC)', 'FORMAT_TIME("%j", 86400) = "1" (in UTC)'],
  typing(call) {
    expectType(call, 0, T.string);
    expectNumeric(call, 1, "a time (numeric)");
    convertTo(call, 1, T.float);
    return result(T.string, anyNullable(call));
  },
  units: "none",
  impl: {
    kind: "stateless",
    apply: (args) => formatTime(args[0] as string, args[1] as number),
  },
};

const parseTimeEntry: FunctionEntry = {
  name: "parse_time",
  names: ["PARSE_TIME"],
  syntax: { kind: "function", arities: [1] },
  state: "stateless",
  deterministic: false,
  nullRule: "always",
  signature: "string -> float? {seconds(rel)}",
  doc:
    "The UNIX time of a date in the local time zone, NULL if no form matches (case-insensitive, whole text). " +
    "Forms, in order: HH:MM[am|pm] (the next such time, today or tomorrow), midnight, noon, teatime (16:00), now, " +
    "a number (a UNIX timestamp), DD.MM.YYYY, MM/DD/YYYY (a 2-digit year means 20YY), YYYY-MM-DD, " +
    "YYYY-MM-DD HH:MM[:SS[.frac]] with a blank or T before the time; fractional seconds are rounded to the second.",
  examples: ['PARSE_TIME "1970-01-02" = 86400 (in UTC)', 'PARSE_TIME "2018-03-24T18:20:00.9" = 1521915601 (in UTC)', 'PARSE_TIME "soon" = NULL'],
  typing(call) {
    expectType(call, 0, T.string);
    return result(T.float, true);
  },
  units: "seconds-rel",
  impl: {
    kind: "stateless",
    apply: (args, call) => parseTime(args[0] as string, now(call)),
  },
};

export const entries: readonly FunctionEntry[] = [age, formatTimeEntry, parseTimeEntry];
