// Runs registry entries of stateless functions and generators the way the
// checker and the generated code do: a TypingCall over argument types (a
// failure becomes its message code), conversions of the arguments the rule
// asked for, then `apply` per row (NULL arguments short-circuit unless
// passNulls) — and, where the entry gives an inline template, the template
// evaluated as JS on the same row, which must agree with `apply`.

import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CallOptions } from "../../grammar/ast.js";
import { MESSAGES, type MessageKey } from "../../grammar/diagnostics.js";
import { NO_SPAN } from "../../grammar/source.js";
import { T, scalarTypeByName, type NType, type RecordField, type Type } from "../../grammar/types.js";
import { castValue } from "../../stdlib/cast.js";
import type { ArgInfo, FunctionEntry, ImplCall, TypingCall } from "../../stdlib/entry.js";
import { readValue } from "../../stdlib/read-value.js";
import type { Value } from "../../stdlib/values.js";

// ---- types as written in vector files (raql.md §2.2) --------------------------------------------

/** `u8`, `float?`, `u8?[3]`, `string[]?`, `(u8; string?)`, `{a: u8; b: string}`, `string[string]`. */
export function parseType(text: string): NType {
  let pos = 0;
  const skip = () => {
    while (text[pos] === " ") pos++;
  };
  const expect = (c: string) => {
    skip();
    if (text[pos++] !== c) throw new Error(`expected ${c} in type ${text}`);
  };
  const base = (): Type => {
    skip();
    if (text[pos] === "(") {
      pos++;
      const items: NType[] = [full()];
      while ((skip(), text[pos]) === ";") {
        pos++;
        items.push(full());
      }
      expect(")");
      return items.length === 1 ? items[0]!.type : T.tuple(items);
    }
    if (text[pos] === "{") {
      pos++;
      const fields: RecordField[] = [];
      while ((skip(), text[pos]) !== "}") {
        const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(pos))![0];
        pos += name.length;
        expect(":");
        fields.push({ name, type: full() });
        skip();
        if (text[pos] === ";") pos++;
      }
      pos++;
      return T.record(fields);
    }
    const m = /^[A-Za-z0-9_]+/.exec(text.slice(pos));
    const t = m && scalarTypeByName(m[0]);
    if (!m || !t) throw new Error(`bad type ${text}`);
    pos += m[0].length;
    return t;
  };
  const full = (): NType => {
    let t = base();
    let nullable = false;
    for (;;) {
      skip();
      if (text[pos] === "?") {
        pos++;
        nullable = true;
      } else if (text[pos] === "[") {
        pos++;
        skip();
        const item = { type: t, nullable };
        if (text[pos] === "]") {
          pos++;
          t = T.list(item);
        } else if (/[0-9]/.test(text[pos]!)) {
          const dim = /^[0-9]+/.exec(text.slice(pos))![0];
          pos += dim.length;
          expect("]");
          t = T.vector(Number(dim), item);
        } else {
          const key = full();
          expect("]");
          t = T.map(key, item);
        }
        nullable = false;
      } else return { type: t, nullable };
    }
  };
  const t = full();
  if (pos !== text.length) throw new Error(`bad type ${text}`);
  return t;
}

// ---- vector files --------------------------------------------------------------------------------

/**
 * Run-time context of nullary values, an extension of the vector format:
 * #start and #stop need event times; NOW and RANDOM default to the fixed
 * environment of the generic runner.
 */
export interface VectorContext {
  readonly now?: number;
  readonly random?: number;
  readonly eventStart?: number;
  readonly eventStop?: number;
}

export interface VectorCase {
  readonly types: readonly string[];
  readonly rows?: readonly (readonly (string | null)[])[];
  readonly results?: readonly string[];
  readonly constant?: readonly boolean[];
  /** as in the Call, except `peekType`, written as a type (`"u16"`) */
  readonly options?: Record<string, unknown>;
  readonly error?: string;
  readonly tolerance?: number;
  readonly context?: VectorContext;
}

export interface VectorFile {
  readonly function: string;
  readonly cases: readonly VectorCase[];
}

const VECTOR_DIR = fileURLToPath(new URL("../../stdlib/vectors/", import.meta.url));

export function vectorPath(name: string): string {
  return VECTOR_DIR + name + ".json";
}

export function loadVectors(name: string): VectorFile {
  return JSON.parse(readFileSync(vectorPath(name), "utf8")) as VectorFile;
}

export function vectorNames(): string[] {
  return readdirSync(VECTOR_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5));
}

// ---- environment (as test/stdlib/vectors.test.ts fixes it) ----------------------------------------

const FIXED_NOW = 1e9;

/** mulberry32: RANDOM gives the same sequence, restarted for each case. */
function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- typing -----------------------------------------------------------------------------------------

class TypingFailure extends Error {
  constructor(readonly key: MessageKey) {
    super(key);
  }
}

export interface Setup {
  readonly types: readonly (NType | null)[];
  readonly constants: readonly (Value | undefined)[];
  readonly options?: CallOptions;
  readonly context?: VectorContext;
}

export type Typed =
  | { readonly ok: true; readonly call: ImplCall; readonly converts: readonly (NType | undefined)[] }
  | { readonly ok: false; readonly code: string; readonly key: MessageKey };

export function typeCall(entry: FunctionEntry, setup: Setup): Typed {
  const converts: (NType | undefined)[] = setup.types.map(() => undefined);
  const args: (ArgInfo | null)[] = setup.types.map((t, i) =>
    t === null
      ? null
      : {
          type: t,
          isConstant: setup.constants[i] !== undefined,
          ...(setup.constants[i] !== undefined ? { constValue: setup.constants[i] } : {}),
          span: NO_SPAN,
          text: `arg${i}`,
        },
  );
  const call: TypingCall = {
    fn: entry.name,
    args,
    ...(setup.options ? { options: setup.options } : {}),
    fail: (_at, key) => {
      throw new TypingFailure(key);
    },
    warn: () => undefined,
    convert: (i, to) => {
      converts[i] = to;
    },
  };
  try {
    const r = entry.typing(call);
    const resultType = "nullable" in r ? r : r.type;
    const ctx = setup.context ?? {};
    return {
      ok: true,
      converts,
      call: {
        argTypes: setup.types.map((t, i) => converts[i] ?? t),
        resultType,
        nulls: "skip",
        options: setup.options ?? {},
        constants: setup.constants.map((v, i) => (v === undefined || !converts[i] ? v : castValue(v, setup.types[i]!, converts[i]!))),
        now: () => ctx.now ?? FIXED_NOW,
        random: ctx.random !== undefined ? () => ctx.random! : seededRandom(42),
        ...(ctx.eventStart !== undefined ? { eventStart: () => ctx.eventStart! } : {}),
        ...(ctx.eventStop !== undefined ? { eventStop: () => ctx.eventStop! } : {}),
      },
    };
  } catch (e) {
    if (e instanceof TypingFailure) return { ok: false, code: MESSAGES[e.key].code, key: e.key };
    throw e;
  }
}

// ---- running ----------------------------------------------------------------------------------------

/** Evaluates an entry's inline template on values, as the code generator would. */
export function evalInline(expr: string, args: readonly Value[]): Value {
  const names = args.map((_, i) => `a${i}`);
  return new Function(...names, `return ${expr};`)(...args) as Value;
}

export interface RowResult {
  readonly value: Value;
  /** the inline template's value, when the entry inlines this call */
  readonly inlined?: Value;
}

/** Calls the entry on converted argument values (a generator gives the array of its outputs). */
export function callEntry(entry: FunctionEntry, typed: Extract<Typed, { ok: true }>, setup: Setup, row: readonly Value[]): RowResult {
  const { call, converts } = typed;
  const args = row.map((v, i) => (v === null || !converts[i] ? v : castValue(v, setup.types[i]!, converts[i]!)));
  const impl = entry.impl;
  if (impl.kind === "generator") return { value: args.some((v) => v === null) ? [] : [...impl.generate(args, call)] };
  if (impl.kind !== "stateless") throw new Error(`${entry.name} is not stateless`);
  const present = args.filter((_, i) => setup.types[i] !== null);
  if (!impl.passNulls && present.some((v) => v === null)) return { value: null };
  const value = impl.apply(present, call);
  const template = impl.inline?.(
    present.map((_, i) => `a${i}`),
    call,
  );
  return template === undefined ? { value } : { value, inlined: evalInline(template, present) };
}

export interface CaseOutcome {
  readonly code?: string;
  readonly actual: readonly RowResult[];
  readonly expected: readonly Value[];
  readonly resultType?: NType;
}

function callOptions(options: Record<string, unknown> | undefined): CallOptions {
  if (!options) return {};
  const { peekType, ...rest } = options;
  return typeof peekType === "string" ? { ...rest, peekType: parseType(peekType) } : (rest as CallOptions);
}

export function runCase(entry: FunctionEntry, c: VectorCase): CaseOutcome {
  const types = c.types.map(parseType);
  const rows = c.rows ?? [];
  const argTypes = types.map((t, i) => (rows.length > 0 && rows.every((r) => r[i] === null) ? null : t));
  const first = rows[0] ?? [];
  const constants = types.map((t, i) => (c.constant?.[i] && first[i] != null ? readValue(first[i], t) : undefined));
  const setup: Setup = { types: argTypes, constants, options: callOptions(c.options), ...(c.context ? { context: c.context } : {}) };
  const typed = typeCall(entry, setup);
  if (!typed.ok) return { code: typed.code, actual: [], expected: [] };
  if (c.error !== undefined) return { actual: [], expected: [] };
  const resultType = typed.call.resultType;
  const expectedType: NType = entry.impl.kind === "generator" ? { type: T.list(resultType), nullable: false } : resultType;
  const actual = rows.map((r) =>
    callEntry(
      entry,
      typed,
      setup,
      r.map((text, i) => (text === null ? null : readValue(text, types[i]!))),
    ),
  );
  return { actual, expected: (c.results ?? []).map((text) => readValue(text, expectedType)), resultType };
}

/** Deep equality where floats may differ by a relative tolerance and NaN equals NaN. */
export function valuesMatch(a: Value, b: Value, tolerance = 0): boolean {
  if (typeof a === "number" && typeof b === "number") {
    if (a !== a || b !== b) return a !== a && b !== b;
    if (a === b) return true;
    return tolerance > 0 && Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b));
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => valuesMatch(x, b[i]!, tolerance));
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    return JSON.stringify(a, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)) === JSON.stringify(b, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
  }
  return a === b;
}
