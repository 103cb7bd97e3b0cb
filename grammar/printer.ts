// Prints an AST back to canonical RaQL (`ramen fmt`, `ramen info`): keywords
// in upper case, one clause per line, parentheses only where the precedence
// table of raql.md §5.1 needs them, keyword syntaxes in their keyword form.
// The output parses back to the same AST (spans aside).

import { entriesOfWrittenName, entryOf } from "../stdlib/registry.js";
import type {
  Aggregate,
  Call,
  CommitClause,
  CsvFormat,
  EventClause,
  EventTimeField,
  Expr,
  ExternalSource,
  FieldDecl,
  FunctionDef,
  ListenFor,
  LiteralValue,
  Operation,
  ParamDecl,
  Program,
  ReadExternal,
  RowBinaryFormat,
  SelectItem,
  Source,
  Variable,
} from "./ast.js";
import { canonicalCallName } from "./callnames.js";
import { isKeywordWord, startsWithNumberSuffix } from "./lexer.js";
import { ethToString as formatEth, ip4ToString as formatIp4, ip6ToString as formatIp6 } from "../stdlib/net.js";
import { intTypeName, ntypeToString, scalarTypeByName, typeToString } from "./types.js";
import { unitsToString } from "./units.js";

// ---- names --------------------------------------------------------------------------

const PLAIN = /^[A-Za-z_][A-Za-z0-9_]*$/;

function quote(name: string): string {
  return "'" + name.replace(/'/g, "''") + "'";
}

/** A field, alias or function name: quoted when it is not a plain word or is a keyword. */
function printName(name: string): string {
  return PLAIN.test(name) && !isKeywordWord(name) ? name : quote(name);
}

/** A name after a dot or a record label, where keywords are names. */
function printAnyName(name: string): string {
  if (PLAIN.test(name) && !/^(second|minute|hour|day)$/i.test(name)) return name;
  if (/^#[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return name;
  return quote(name);
}

const VARIABLE_NAMES: Record<Variable, string> = {
  in: "in",
  out: "out",
  local_last_out: "previous",
  global_last_out: "global_last_out",
  group_state: "group_state",
  global_state: "global_state",
  param: "param",
  env: "env",
  global: "global",
  sort_first: "sort_first",
  sort_smallest: "sort_smallest",
  sort_greatest: "sort_greatest",
  record: "record",
};

// ---- literals -------------------------------------------------------------------------

function printNumber(x: number): string {
  if (Object.is(x, -0)) return "-0.0";
  const s = String(x);
  return /[.e]/.test(s) ? s : s + ".0";
}

/** In the largest unit that divides it (`1h`, `90s`), to read as written. */
function printDuration(seconds: number): string {
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["min", 60]] as const) {
    if (seconds !== 0 && Number.isSafeInteger(seconds / size) && seconds % size === 0) return seconds / size + unit;
  }
  return String(seconds) + "s";
}

function printString(s: string): string {
  let out = '"';
  for (const c of s) {
    const code = c.charCodeAt(0);
    if (c === '"' || c === "\\") out += "\\" + c;
    else if (c === "\n") out += "\\n";
    else if (c === "\t") out += "\\t";
    else if (c === "\r") out += "\\r";
    else if (c === "\b") out += "\\b";
    else if (code < 32 || code === 127) out += "\\x" + code.toString(16).padStart(2, "0");
    else out += c;
  }
  return out + '"';
}

function printChar(code: number): string {
  if (code === 32) return "#\\space";
  if (code > 32 && code < 127) return "#\\" + String.fromCharCode(code);
  return "#\\x" + code.toString(16).padStart(2, "0");
}

function printLiteralValue(v: LiteralValue): string {
  switch (v.tag) {
    case "null":
      return "NULL";
    case "bool":
      return v.value ? "true" : "false";
    case "int":
      return String(v.value) + (v.width !== undefined ? intTypeName(v.signed === true, v.width) : "");
    case "float":
      return printNumber(v.value);
    case "duration":
      return printDuration(v.seconds);
    case "string":
      return printString(v.value);
    case "char":
      return printChar(v.value);
    case "eth":
      return formatEth(v.value);
    case "ip4":
      return formatIp4(v.value);
    case "ip6":
      return formatIp6(v.value);
    case "cidr4":
      return formatIp4(v.ip) + "/" + v.len;
    case "cidr6":
      return formatIp6(v.ip) + "/" + v.len;
  }
}

// ---- expressions -------------------------------------------------------------------------

/** Precedence levels of raql.md §5.1; GREEDY for forms whose last part is a whole expression. */
const GREEDY = 0;
const PREFIX = 9;
const TERM = 10;

const BINARY: Record<string, { op: string; level: number; right?: boolean }> = {
  or: { op: "OR", level: 1 },
  and: { op: "AND", level: 2 },
  eq: { op: "=", level: 4 },
  ne: { op: "<>", level: 4 },
  lt: { op: "<", level: 4 },
  le: { op: "<=", level: 4 },
  gt: { op: ">", level: 4 },
  ge: { op: ">=", level: 4 },
  in: { op: "IN", level: 4 },
  starts_with: { op: "STARTS WITH", level: 4 },
  ends_with: { op: "ENDS WITH", level: 4 },
  add: { op: "+", level: 5 },
  sub: { op: "-", level: 5 },
  concat: { op: "||", level: 5 },
  mul: { op: "*", level: 6 },
  div: { op: "/", level: 6 },
  idiv: { op: "//", level: 6 },
  mod: { op: "%", level: 6 },
  band: { op: "&", level: 7 },
  bor: { op: "|", level: 7 },
  bxor: { op: "#", level: 7 },
  shl: { op: "<<", level: 7 },
  shr: { op: ">>", level: 7 },
  pow: { op: "^", level: 8, right: true },
};

const NULLARY: Record<string, string> = { now: "NOW", random: "RANDOM", pi: "PI", event_start: "#start", event_stop: "#stop" };

/**
 * `absorbs`: the words (and ",") that would be read as part of this form if
 * they followed it: an IF without ELSE takes a following ELSE, PAST without AT
 * TIME takes AT, LARGEST's BY keys take commas… Contexts followed by one of
 * these parenthesise the form.
 */
interface Printed {
  readonly text: string;
  readonly level: number;
  readonly absorbs?: readonly string[];
}

function at(p: Printed, minLevel: number): string {
  return p.level >= minLevel ? p.text : "(" + p.text + ")";
}

/** `at`, keeping what an unparenthesised operand absorbs. */
function operand(p: Printed, minLevel: number): { text: string; absorbs?: readonly string[] } {
  return p.level >= minLevel ? (p.absorbs ? { text: p.text, absorbs: p.absorbs } : { text: p.text }) : { text: "(" + p.text + ")" };
}

/** An expression followed by one of `follow`: parenthesised if it would absorb it. */
function before(e: Expr, follow: readonly string[]): string {
  const p = expr(e);
  return p.absorbs?.some((a) => follow.includes(a)) ? "(" + p.text + ")" : p.text;
}

/** An item of a comma-separated list. */
function item(e: Expr): string {
  return before(e, [","]);
}

/** Joins items so that a duration is never glued to the next one (`1s, 2s` would lex as 3 seconds). */
function joinSafely(parts: readonly string[], sep: string): string {
  let out = "";
  parts.forEach((p, i) => {
    if (i === 0) {
      out += p;
      return;
    }
    out += sep + (wouldGlue(parts[i - 1]!, p) ? "(" + p + ")" : p);
  });
  return out;
}

/** Whether `next`, after `prev` and a separator, would lex as part of a number ending `prev`. */
function wouldGlue(prev: string, next: string): boolean {
  const last = /[0-9A-Za-z_.+\u00b5]*$/.exec(prev)![0];
  if (!/^[0-9]/.test(last)) return false;
  // A duration takes more parts (`1s, 2s`); any number takes a unit word (`3 kilo`).
  return (/[A-Za-z\u00b5]$/.test(last) && /^[0-9]/.test(next)) || startsWithNumberSuffix(next);
}

function expr(e: Expr): Printed {
  switch (e.kind) {
    case "literal":
      return { text: printLiteralValue(e.value) + (e.nullable ? "?" : ""), level: TERM };
    case "vector":
      return { text: "[" + joinSafely(e.items.map(top), "; ") + "]", level: TERM };
    case "tuple":
      return { text: "(" + joinSafely(e.items.map(top), "; ") + ")", level: TERM };
    case "record":
      return { text: "{" + e.fields.map((f) => printAnyName(f.name) + ": " + top(f.value)).join("; ") + "}", level: TERM };
    case "field":
      if (e.variable) return { text: VARIABLE_NAMES[e.variable] + "." + printAnyName(e.name), level: TERM };
      // `u8 (x)` would read as a cast.
      if (scalarTypeByName(e.name)) return { text: quote(e.name), level: TERM };
      // Bare, only #count reads back as a field (#start/#stop are values, #x a xor).
      if (e.name.toLowerCase() === "#count") return { text: e.name, level: TERM };
      return { text: printName(e.name), level: TERM };
    case "variable":
      return { text: VARIABLE_NAMES[e.variable], level: TERM };
    case "case":
      return printCase(e);
    case "cast":
      return { text: ntypeToString(e.to) + (e.expr.kind === "tuple" ? expr(e.expr).text : "(" + top(e.expr) + ")"), level: TERM };
    case "units":
      return { text: at(expr(e.expr), TERM) + " " + unitsToString(e.units), level: TERM };
    case "call":
      return printCall(e);
  }
}

/** An expression in a delimited position (argument, item, clause). */
function top(e: Expr): string {
  return expr(e).text;
}

function printCase(e: Extract<Expr, { kind: "case" }>): Printed {
  if (e.branches.length === 1) {
    const b = e.branches[0]!;
    const head = "IF " + before(b.when, ["THEN"]) + " THEN ";
    if (!e.else) {
      const then = expr(b.then);
      return { text: head + then.text, level: GREEDY, absorbs: ["ELSE", ...(then.absorbs ?? [])] };
    }
    const otherwise = expr(e.else);
    return { text: head + before(b.then, ["ELSE"]) + " ELSE " + otherwise.text, level: GREEDY, ...(otherwise.absorbs ? { absorbs: otherwise.absorbs } : {}) };
  }
  const parts = e.branches.map((b) => "WHEN " + before(b.when, ["THEN"]) + " THEN " + before(b.then, ["WHEN", "ELSE", "END"]));
  if (e.else) parts.push("ELSE " + before(e.else, ["END"]));
  return { text: "CASE " + parts.join(" ") + " END", level: TERM };
}

function modifiers(c: Call): string {
  let s = "";
  if (c.lifespan) s += " " + c.lifespan.toUpperCase();
  if (c.nulls) s += " " + c.nulls.toUpperCase() + " NULLS";
  return s;
}

/**
 * A term that must not take the next term as its argument (`LARGEST n x`);
 * `next` is what follows it: a name followed by `(…)` or `[…]` would be a call.
 */
function juxtaposed(e: Expr, next = ""): string {
  if (e.kind === "field" && !e.variable && (entriesOfWrittenName(e.name).length > 0 || /^[([]/.test(next))) return quote(e.name);
  const text = at(expr(e), TERM);
  // After a term, `-1` would read as a subtraction, `[…]` as an index, `{…}` as units.
  return /^[-[{]/.test(text) ? "(" + text + ")" : text;
}

function printCall(c: Call): Printed {
  const nullary = NULLARY[c.fn];
  if (nullary !== undefined && c.args.length === 0) return { text: nullary, level: TERM };
  const bin = BINARY[c.fn];
  if (bin && c.args.length === 2 && c.args[0] && c.args[1]) {
    const left = expr(c.args[0]);
    const right = expr(c.args[1]);
    let leftText = at(left, bin.right ? bin.level + 1 : bin.level);
    // `1.2.3.4 / 8` would read as a CIDR (or be rejected).
    if (c.fn === "div" && c.args[0].kind === "literal" && /^(ip4|ip6)$/.test(c.args[0].value.tag)) leftText = "(" + leftText + ")";
    // AND's right operand is a comparison: IF (level 3) is not in that chain.
    const rightMin = bin.right ? bin.level : bin.level === 2 ? 4 : bin.level + 1;
    const r = operand(right, rightMin);
    return { text: joinSafely([leftText, r.text], " " + bin.op + " "), level: bin.level, ...(r.absorbs ? { absorbs: r.absorbs } : {}) };
  }
  switch (c.fn) {
    case "not":
    case "neg":
    case "begin_of":
    case "end_of":
      if (c.args.length === 1 && c.args[0]) return printPrefix(c.fn, c.args[0]);
      break;
    case "is_null":
    case "is_not_null":
      if (c.args.length === 1 && c.args[0]) return { text: at(expr(c.args[0]), TERM) + (c.fn === "is_null" ? " IS NULL" : " IS NOT NULL"), level: PREFIX };
      break;
    case "like": {
      const [s, p] = c.args;
      if (s && p) return { text: at(expr(s), 4) + (c.options?.caseSensitive ? " CASE SENSITIVE" : "") + " LIKE " + at(expr(p), 5), level: 4 };
      break;
    }
    case "get":
      return printGet(c);
    case "percentile": {
      const [p, x] = c.args;
      if (p && x) return { text: at(expr(p), TERM) + " PERCENTILE" + modifiers(c) + " " + juxtaposed(x), level: PREFIX };
      break;
    }
    case "largest":
    case "smallest":
    case "latest":
    case "oldest":
    case "earlier":
      return printLargest(c);
    case "past":
      return printPast(c);
    case "every":
      return printEvery(c);
    case "top":
      return printTop(c);
    case "one_out_of": {
      const [n, x] = c.args;
      if (n && x) {
        const xText = juxtaposed(x);
        return { text: "ONE OUT OF" + modifiers(c) + " " + joinSafely([juxtaposed(n, xText), xText], " "), level: PREFIX };
      }
      break;
    }
    case "peek": {
      const x = c.args[0];
      const t = c.options?.peekType;
      if (x && t) {
        const endian = c.options?.bigEndian === undefined ? "" : c.options.bigEndian ? " BIG ENDIAN" : " LITTLE ENDIAN";
        return { text: "PEEK " + typeToString(t.type) + endian + " " + juxtaposed(x), level: PREFIX };
      }
      break;
    }
    case "changed":
      if (c.args.length === 1 && c.args[0]) return { text: "CHANGED " + juxtaposed(c.args[0]), level: PREFIX };
      break;
    case "index_from_end":
      return { text: "INDEX FROM END(" + printArgs(c) + ")", level: TERM };
  }
  return { text: functionName(c) + modifiers(c) + (modifiers(c) ? " " : "") + "(" + printArgs(c) + ")", level: TERM };
}

function printArgs(c: Call): string {
  return joinSafely(
    c.args.map((a) => (a ? item(a) : "NULL")),
    ", ",
  );
}

/** The written name of a call: the first of the entry's names that resolves back to it. */
function functionName(c: Call): string {
  const entry = entryOf(c.fn);
  const names = entry ? [...entry.names, c.fn] : [c.fn];
  const n = c.args.length;
  const written = names.find((w) => canonicalCallName(w, n) === c.fn) ?? c.fn;
  return written.toUpperCase();
}

function printPrefix(fn: string, x: Expr): Printed {
  const o = operand(expr(x), PREFIX);
  const absorbs = o.absorbs ? { absorbs: o.absorbs } : {};
  switch (fn) {
    case "not":
      return { text: "NOT " + o.text, level: PREFIX, ...absorbs };
    case "neg":
      // `-3` would read back as a literal, `--x` as a comment.
      return { text: "-" + (/^[-0-9]/.test(o.text) ? " " : "") + o.text, level: PREFIX, ...absorbs };
    case "begin_of":
      return { text: "BEGIN OF " + o.text, level: PREFIX, ...absorbs };
    default:
      return { text: "END OF " + o.text, level: PREFIX, ...absorbs };
  }
}

function printGet(c: Call): Printed {
  const [index, obj] = c.args;
  if (!index || !obj) return { text: "GET(" + printArgs(c) + ")", level: TERM };
  if (obj.kind === "variable") return { text: "GET(" + printArgs(c) + ")", level: TERM };
  let target = at(expr(obj), TERM);
  // `1.x` would lex as a number, `1.2.3.4.x` as nothing valid.
  if (obj.kind === "literal") target = "(" + target + ")";
  if (obj.kind === "field" && !obj.variable && entriesOfWrittenName(obj.name).length > 0) target = quote(obj.name);
  if (index.kind === "literal" && index.value.tag === "string" && !index.nullable) return { text: target + "." + printAnyName(index.value.value), level: TERM };
  return { text: target + "[" + top(index) + "]", level: TERM };
}

function printLargest(c: Call): Printed {
  const [n, but, x, by] = c.args;
  let text = c.fn.toUpperCase() + modifiers(c);
  const xText = juxtaposed(x!);
  const nText = juxtaposed(n!, xText);
  const parts: string[] = [];
  if (but) parts.push("BUT", juxtaposed(but, c.options?.upTo ? "" : nText));
  if (c.options?.upTo) parts.push("UP TO");
  parts.push(nText, xText);
  text += " " + joinSafely(parts, " ");
  if (c.fn !== "largest" && c.fn !== "smallest") return { text, level: PREFIX };
  if (!by) return { text, level: PREFIX, absorbs: ["BY"] };
  // Several keys are a tuple, printed in parentheses; one key reads more keys after a comma.
  const key = expr(by);
  return { text: text + " BY " + key.text, level: GREEDY, absorbs: [",", ...(key.absorbs ?? [])] };
}

function printPast(c: Call): Printed {
  const [d, x, atTime, sample] = c.args;
  let text = "";
  if (sample) text += "SAMPLE" + modifiers(c) + " " + juxtaposed(sample) + " OF THE ";
  text += "PAST" + (sample ? "" : modifiers(c)) + " " + juxtaposed(d!);
  if (c.options?.tumbling !== undefined) text += c.options.tumbling ? " TUMBLING" : " SLIDING";
  text += " OF " + juxtaposed(x!);
  return withAtTime(text, atTime ?? null);
}

/** `… [AT TIME t]`: without it the form would take a following AT TIME. */
function withAtTime(text: string, atTime: Expr | null): Printed {
  if (!atTime) return { text, level: PREFIX, absorbs: ["AT"] };
  const t = expr(atTime);
  return { text: text + " AT TIME " + t.text, level: GREEDY, ...(t.absorbs ? { absorbs: t.absorbs } : {}) };
}

function printEvery(c: Call): Printed {
  const [d, x, atTime] = c.args;
  const xText = juxtaposed(x!);
  let text = (c.options?.once ? "ONCE " : "") + "EVERY" + modifiers(c) + " " + juxtaposed(d!, c.options?.tumbling === undefined ? xText : "");
  if (c.options?.tumbling !== undefined) text += c.options.tumbling ? " TUMBLING" : " SLIDING";
  text = joinSafely([text, xText], " ");
  return withAtTime(text, atTime ?? null);
}

function printTop(c: Call): Printed {
  const [n, over, x, by, atTime, forD, above] = c.args;
  const mode = c.options?.topMode ?? "list";
  let text =
    mode === "list" ? "LIST TOP" : mode === "membership" ? "IS " + at(expr(x!), 5) + " IN TOP" : "RANK OF " + at(expr(x!), 5) + " IN TOP";
  const xText = mode === "list" ? juxtaposed(x!) : "";
  const overText = over ? juxtaposed(over, xText) : "";
  text += modifiers(c) + " " + juxtaposed(n!, over ? "" : xText);
  if (over) text += " OVER " + overText;
  if (mode === "list") text = joinSafely([text, xText], " ");
  // Optional tails in order; each must not take the keywords of the tails after it.
  const tails: [string, string, Expr | null][] = [
    ["BY", " BY ", by ?? null],
    ["AT", " AT TIME ", atTime ?? null],
    ["FOR", " FOR ", forD ?? null],
    ["ABOVE", " ABOVE ", above ?? null],
  ];
  let absorbs: string[] = tails.map(([k]) => k);
  tails.forEach(([, word, e], i) => {
    if (!e) return;
    const later = tails.slice(i + 1).filter(([, , l]) => l).map(([k]) => k);
    const p = expr(e);
    const parenthesised = p.absorbs?.some((a) => later.includes(a)) === true;
    text += word + (parenthesised ? "(" + p.text + ")" : p.text);
    absorbs = [...tails.slice(i + 1).map(([k]) => k), ...(parenthesised ? [] : (p.absorbs ?? []))];
  });
  if (above) {
    text += " SIGMAS";
    absorbs = [];
  }
  const level = by || atTime || forD || above ? GREEDY : PREFIX;
  return absorbs.length > 0 ? { text, level, absorbs } : { text, level };
}

export function printExpr(e: Expr): string {
  return top(e);
}

// ---- operations ------------------------------------------------------------------------------

const INDENT = "  ";

function printSource(s: Source): string {
  // kept as printed, line breaks included: re-flowing it would also change
  // quoted names and strings that contain line breaks or runs of blanks
  if (s.kind === "subquery") return "(" + printOperation(s.operation) + ")";
  const path = s.program === undefined ? s.name : s.program + "/" + s.name;
  let text = /^[A-Za-z_./][A-Za-z0-9_./#*]*$/.test(path) && !/^(files?|kafka)$/i.test(path) ? path : quote(path);
  if (s.site) text += s.site.kind === "this" ? " ON THIS SITE" : " ON SITE " + (/^[A-Za-z0-9_*-]+$/.test(s.site.pattern) ? s.site.pattern : quote(s.site.pattern));
  return text;
}

/** `previous`: the text of the item before, which this one must not glue to. */
function printSelectItem(item: SelectItem, previous: string | undefined): string {
  if (item.kind === "star") return "*" + item.exclude.map((n) => " - " + printName(n)).join("");
  const labelled = item.alias !== undefined || item.doc !== undefined || item.aggregate !== undefined;
  let text = labelled ? top(item.expr) : before(item.expr, [","]);
  if (previous !== undefined && wouldGlue(previous, text)) text = "(" + text + ")";
  if (item.alias !== undefined) {
    text += " AS " + printName(item.alias);
    if (item.doc !== undefined) text += " " + printString(item.doc);
  } else if (item.doc !== undefined) text += " DOC " + printString(item.doc);
  if (item.aggregate !== undefined) text += " AGGREGATE USING " + item.aggregate;
  return text;
}

function printCommit(c: CommitClause): string {
  // A name starting with EVERY would read as the EVERY clause.
  const actions = c.notifications.map((n) => (n.name ? "NOTIFY " + item(n.name).replace(/^EVERY\b.*$/s, "($&)") : "NOTIFY"));
  if (c.flush === "keep") actions.push("KEEP");
  else if (c.flush === "keep_all") actions.push("KEEP ALL");
  else if (actions.length === 0 && c.when === undefined) actions.push("FLUSH");
  if (actions.length === 0) actions.push("COMMIT");
  let text = joinSafely(actions, ", ");
  if (c.when) text += (c.before ? " BEFORE " : " AFTER ") + top(c.when);
  return text;
}

function printEventField(f: EventTimeField): string {
  return printName(f.field) + (f.scale === 1 ? "" : " * " + (Number.isInteger(f.scale) ? String(f.scale) : printNumber(f.scale)));
}

function printEvent(e: EventClause): string {
  let text = "EVENT STARTING AT " + printEventField(e.start);
  if (e.stop?.kind === "stop") text += " AND STOPPING AT " + printEventField(e.stop.at);
  else if (e.stop?.kind === "duration_field") text += " WITH DURATION " + printEventField(e.stop.at);
  else if (e.stop?.kind === "duration") text += " WITH DURATION " + printDuration(e.stop.seconds);
  return text;
}

function printFactors(factors: readonly { name: string }[]): string {
  return "FACTORS " + factors.map((f) => printName(f.name)).join(", ");
}

function printAggregate(op: Aggregate): string[] {
  const lines: string[] = [];
  if (op.from.length > 0) lines.push("FROM " + op.from.map(printSource).join(", "));
  if (op.select) {
    const items: string[] = [];
    for (const i of op.select) items.push(printSelectItem(i, items[items.length - 1]));
    const oneLine = "SELECT " + items.join(", ");
    if (items.length > 1 && oneLine.length > 80) lines.push("SELECT\n" + INDENT + INDENT + items.join(",\n" + INDENT + INDENT));
    else lines.push(oneLine);
  }
  if (op.where) lines.push("WHERE " + top(op.where));
  if (op.groupBy) lines.push("GROUP BY " + joinSafely(op.groupBy.map(item), ", "));
  // EVERY before the commit clause: after a NOTIFY without name it would read as its name.
  if (op.every) lines.push("EVERY " + top(op.every));
  if (op.commit) lines.push(printCommit(op.commit));
  if (op.sort) {
    let s = "SORT LAST " + op.sort.last;
    if (op.sort.until) s += " OR UNTIL " + before(op.sort.until, ["BY"]);
    if (op.sort.by.length > 0) s += " BY " + joinSafely(op.sort.by.map(item), ", ");
    lines.push(s);
  }
  if (op.event) lines.push(printEvent(op.event));
  if (op.factors) lines.push(printFactors(op.factors));
  return lines;
}

function printFieldDecl(f: FieldDecl): string {
  let text = printName(f.name) + " " + ntypeToString(f.type);
  if (f.units) text += " " + unitsToString(f.units);
  if (f.doc !== undefined) text += " " + printString(f.doc);
  if (f.aggregate !== undefined) text += " AGGREGATE USING " + f.aggregate;
  return text;
}

function printClickHouseColumns(fields: readonly FieldDecl[]): string {
  const lines = ["columns format version: 1", `${fields.length} columns:`];
  for (const f of fields) lines.push("`" + f.name.replace(/[`\\]/g, "\\$&") + "` " + (f.clickhouseType ?? clickHouseTypeOf(f)));
  return "(\n" + lines.map((l) => INDENT + INDENT + l).join("\n") + "\n" + INDENT + ")";
}

// The ClickHouse spelling of a RaQL type, for column lists built without one.
function clickHouseTypeOf(f: FieldDecl): string {
  const name = (t: FieldDecl["type"]): string => {
    const ty = t.type;
    let s: string;
    switch (ty.tag) {
      case "int":
        s = (ty.signed ? "Int" : "UInt") + ty.width;
        break;
      case "float":
        s = "Float64";
        break;
      case "string":
        s = "String";
        break;
      case "list":
        s = "Array(" + name(ty.item) + ")";
        break;
      case "vector":
        s = "FixedString(" + ty.dim + ")";
        break;
      default:
        s = typeToString(ty);
    }
    return t.nullable ? "Nullable(" + s + ")" : s;
  };
  return name(f.type);
}

function printCsv(f: CsvFormat): string {
  let text = "AS CSV";
  if (f.separator !== ",") text += " SEPARATOR " + printString(f.separator);
  if (f.nullString !== "") text += " NULL " + printString(f.nullString);
  if (f.quote === undefined) text += " NO QUOTES";
  else if (f.quote !== '"') text += " QUOTE WITH " + printString(f.quote);
  if (f.escape !== undefined) text += " ESCAPE WITH " + printString(f.escape);
  if (f.vectorsOfCharsAsString) text += " VECTORS OF CHARS AS STRING";
  if (f.clickhouseSyntax) text += " CLICKHOUSE SYNTAX";
  if (f.fields.length > 0 && f.fields.every((d) => d.clickhouseType !== undefined)) return text + " " + printClickHouseColumns(f.fields);
  return text + " (\n" + f.fields.map((d) => INDENT + INDENT + printFieldDecl(d)).join(",\n") + "\n" + INDENT + ")";
}

function printFormat(f: CsvFormat | RowBinaryFormat): string {
  return f.kind === "csv" ? printCsv(f) : "AS ROWBINARY " + printClickHouseColumns(f.fields);
}

function printExternalSource(s: ExternalSource): string {
  if (s.kind === "file") {
    let text = "READ FROM FILES " + top(s.path);
    if (s.preprocess) text += " PREPROCESS WITH " + top(s.preprocess);
    if (s.deleteIf) {
      const always = s.deleteIf.kind === "literal" && s.deleteIf.value.tag === "bool" && s.deleteIf.value.value && !s.deleteIf.nullable;
      text += always ? " THEN DELETE" : " THEN DELETE IF " + top(s.deleteIf);
    }
    return text;
  }
  let text = "READ FROM KAFKA TOPIC " + top(s.topic);
  if (s.partitions) text += " PARTITIONS " + at(expr(s.partitions), TERM);
  if (s.options.length > 0) text += " WITH OPTIONS " + joinSafely(s.options.map((o) => printString(o.name) + " = " + item(o.value)), ", ");
  return text;
}

function printRead(op: ReadExternal): string[] {
  const lines = [printExternalSource(op.source), printFormat(op.format)];
  if (op.event) lines.push(printEvent(op.event));
  if (op.factors) lines.push(printFactors(op.factors));
  return lines;
}

function printListen(op: ListenFor): string[] {
  let text = "LISTEN FOR " + op.protocol;
  if (op.address !== undefined) {
    // `::1:2055` would read as one IPv6 address.
    const address = op.port !== undefined && op.address.includes(":") ? "[" + op.address + "]" : op.address;
    text += " ON " + address + (op.port !== undefined ? ":" + op.port : "");
  }
  if (op.transport === "tcp") text += " TCP";
  const lines = [text];
  if (op.factors) lines.push(printFactors(op.factors));
  return lines;
}

/** One clause per line, the lines after the first indented. */
export function printOperation(op: Operation): string {
  const lines = op.kind === "aggregate" ? printAggregate(op) : op.kind === "read" ? printRead(op) : printListen(op);
  return lines.join("\n" + INDENT);
}

// ---- programs ---------------------------------------------------------------------------------

function printParam(p: ParamDecl): string {
  let text = "PARAMETER " + printName(p.name);
  if (p.type) text += " " + ntypeToString(p.type);
  if (p.units) text += " " + unitsToString(p.units);
  if (p.default) text += " DEFAULTS TO " + at(expr(p.default), TERM);
  if (p.doc !== undefined) text += " " + printString(p.doc);
  return text;
}

/** A constant or a parameter's name (PERSIST FOR, QUERYING EVERY, BEST AFTER). */
function printImmediate(e: Expr): string {
  return e.kind === "field" && !e.variable ? printName(e.name) : at(expr(e), TERM);
}

function printFunction(f: FunctionDef): string {
  const body = printOperation(f.operation);
  if (f.name === undefined) return body;
  // The name first: after a number (`PERSIST FOR 10`) a name such as `kilo` would be its scale.
  // Flag words as names would read as flags.
  let head = "DEFINE " + (/^(lazy|persist|querying|query|while|best)$/i.test(f.name) ? quote(f.name) : printName(f.name));
  if (f.lazy) head += " LAZY";
  if (f.persistFor) head += " PERSIST FOR " + printImmediate(f.persistFor);
  if (f.queryingEvery) head += " QUERYING EVERY " + printImmediate(f.queryingEvery);
  if (f.bestAfter) head += " BEST AFTER " + printImmediate(f.bestAfter);
  if (f.doc !== undefined) head += " " + printString(f.doc);
  return head + " AS\n" + INDENT + body;
}

/** The whole program: parameters, globals, running condition, then functions; `;` after each. */
export function printProgram(p: Program): string {
  const defs: string[] = [];
  for (const param of p.params) defs.push(printParam(param));
  for (const g of p.globals) {
    const scope = g.scope === "site" ? "" : ` WITH ${g.scope.toUpperCase()} SCOPE`;
    defs.push("DECLARE" + scope + " " + printName(g.name) + " " + ntypeToString(g.type));
  }
  if (p.runIf) defs.push("RUN IF " + top(p.runIf));
  for (const f of p.functions) defs.push(printFunction(f));
  return defs.map((d) => d + ";\n").join("\n");
}
