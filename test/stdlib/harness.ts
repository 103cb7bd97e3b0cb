// Runs registry entries the way the checker and the generated code do, for
// the generic runner of the vector files (vectors.test.ts) and the property
// tests: a TypingCall over argument types (a failure becomes its message
// code), conversions of the arguments the typing rule asked for, then rows of
// values through `apply` (and the inline template), one state
// (init / update / finalize, SKIP NULLS applied by the caller), `immediate`,
// or `generate`. Also reads the vector files and compares values by type.

import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CallOptions, Lifespan, NullHandling } from "../../grammar/ast.js";
import { RamenError, diag } from "../../grammar/diagnostics.js";
import { parseType } from "../../grammar/index.js";
import { NO_SPAN } from "../../grammar/source.js";
import { isSequence, type NType, type Type } from "../../grammar/types.js";
import { castValue } from "../../stdlib/cast.js";
import type { ArgInfo, FunctionEntry, ImplCall, TypingCall } from "../../stdlib/entry.js";
import { maskCidr } from "../../stdlib/net.js";
import { seededRandom } from "../../stdlib/random.js";
import { readValue } from "../../stdlib/read-value.js";
import { entryOf } from "../../stdlib/registry.js";
import type { Cidr, Value } from "../../stdlib/values.js";

/** NOW unless a call's context fixes it: 2001-09-09T01:46:40Z. */
const FIXED_NOW = 1e9;
/** RANDOM unless a call's context fixes it: this seed's sequence, restarted for each typed call. */
const RANDOM_SEED = 42;

export function entryNamed(name: string): FunctionEntry {
  const entry = entryOf(name);
  if (!entry) throw new Error(`no registry entry ${name}`);
  return entry;
}

/** Run-time values of the nullary functions NOW, RANDOM, #start and #stop. */
export interface RunContext {
  readonly now?: number;
  readonly random?: () => number;
  /** #start and #stop are not available unless given */
  readonly eventStart?: number;
  readonly eventStop?: number;
}

export interface CallSetup {
  /** argument types as written; null for an omitted optional argument */
  readonly types: readonly (NType | null)[];
  /** values of the constant arguments at their written types; undefined for the others */
  readonly constants: readonly (Value | undefined)[];
  /** the arguments as written, for messages (default `argN`) */
  readonly texts?: readonly (string | undefined)[];
  readonly options?: CallOptions;
  readonly lifespan?: Lifespan;
  readonly nulls?: NullHandling;
  /**
   * The lifespan the checker settled on (see checkerLifespan); without it the
   * typing rule falls back on its own default.
   */
  readonly effectiveLifespan?: Lifespan;
  readonly context?: RunContext;
}

export type Typed =
  | { readonly ok: true; readonly call: ImplCall; readonly converts: readonly (NType | undefined)[] }
  | { readonly ok: false; readonly code: string };

/**
 * As the checker decides it (raql.md §4.10): the written lifespan, else
 * IMMEDIATELY for an aggregate whose operand is a vector or list, else
 * LOCALLY for any stateful function (undefined for the others).
 */
export function checkerLifespan(entry: FunctionEntry, types: readonly (NType | null)[], written: Lifespan | undefined): Lifespan | undefined {
  if (entry.state === "stateless" || entry.state === "gen") return undefined;
  if (written) return written;
  const operand = types[0];
  return entry.state === "agg" && operand && isSequence(operand.type) ? "immediately" : "locally";
}

function argInfos(setup: CallSetup): (ArgInfo | null)[] {
  return setup.types.map((type, i) => {
    if (type === null) return null;
    const constValue = setup.constants[i];
    return {
      type,
      isConstant: constValue !== undefined,
      constValue,
      span: NO_SPAN,
      text: setup.texts?.[i] ?? `arg${i}`,
    };
  });
}

function implContext(ctx: RunContext): Pick<ImplCall, "now" | "random" | "eventStart" | "eventStop"> {
  return {
    now: () => ctx.now ?? FIXED_NOW,
    random: ctx.random ?? seededRandom(RANDOM_SEED),
    ...(ctx.eventStart !== undefined ? { eventStart: () => ctx.eventStart! } : {}),
    ...(ctx.eventStop !== undefined ? { eventStop: () => ctx.eventStop! } : {}),
  };
}

/** Types the call; on success, the ImplCall the generated code would get. */
export function typeCall(entry: FunctionEntry, setup: CallSetup): Typed {
  const converts: (NType | undefined)[] = setup.types.map(() => undefined);
  const call: TypingCall = {
    fn: entry.name,
    args: argInfos(setup),
    lifespan: setup.lifespan,
    nulls: setup.nulls,
    options: setup.options ?? {},
    effectiveLifespan: setup.effectiveLifespan,
    fail(_at, key, args, notes) {
      throw new RamenError(diag(key, args, { notes }));
    },
    warn() {},
    convert(i, to) {
      converts[i] = to;
    },
  };
  let resultType: NType;
  try {
    const typed = entry.typing(call);
    resultType = "nullable" in typed ? typed : typed.type;
  } catch (e) {
    if (e instanceof RamenError) return { ok: false, code: e.diagnostics[0]!.code };
    throw e;
  }
  return {
    ok: true,
    converts,
    call: {
      argTypes: setup.types.map((t, i) => converts[i] ?? t),
      resultType,
      nulls: setup.nulls ?? "skip",
      options: setup.options ?? {},
      constants: setup.constants.map((v, i) => convert(v, setup.types[i]!, converts[i])),
      ...implContext(setup.context ?? {}),
    },
  };
}

function convert<V extends Value | undefined>(v: V, from: NType, to: NType | undefined): V {
  return v === undefined || v === null || to === undefined ? v : (castValue(v, from, to) as V);
}

/** Argument values (at the written types) converted as the typing asked; omitted arguments stay null. */
export function convertArgs(setup: CallSetup, converts: readonly (NType | undefined)[], values: readonly Value[]): Value[] {
  return values.map((v, i) => (setup.types[i] === null ? null : convert(v, setup.types[i]!, converts[i])));
}

/** Evaluates an inline template on values, as the code generator would with the arguments bound to a0, a1, … */
export function evalInline(template: string, args: readonly Value[]): Value {
  const names = args.map((_, i) => `a${i}`);
  return new Function(...names, `return ${template};`)(...args) as Value;
}

export interface RowsRun {
  readonly resultType: NType;
  /** one per row: the result (a generator's: the array of the values generated) */
  readonly results: Value[];
  /** the rows whose (stateless) call the entry inlines: the inline template's value */
  readonly inlined: ReadonlyMap<number, Value>;
}

/**
 * Types the call (with the checker's lifespan unless the setup gives one) and
 * runs `rows` of argument values (at the written types; null for omitted
 * arguments) after conversion:
 * * stateless: each row is one call; unless passNulls, a NULL argument gives
 *   NULL without calling `apply`;
 * * stateful, IMMEDIATELY: each row is one call of `immediate`; otherwise one
 *   state fed each row in order (not when a non-constant argument is NULL,
 *   unless KEEP NULLS) and read after each;
 * * generator: each row gives the list of the values it generates (nothing
 *   for a NULL argument).
 */
export function runRows(entry: FunctionEntry, setup: CallSetup, rows: readonly (readonly Value[])[]): RowsRun {
  const effectiveLifespan = setup.effectiveLifespan ?? checkerLifespan(entry, setup.types, setup.lifespan);
  const typed = typeCall(entry, { ...setup, effectiveLifespan });
  if (!typed.ok) throw new Error(`typing ${entry.name} failed with ${typed.code}`);
  const { call, converts } = typed;
  const present = setup.types.map((t) => t !== null);
  const hasNull = (args: readonly Value[], skipConstants: boolean) =>
    args.some((v, i) => present[i] && v === null && !(skipConstants && setup.constants[i] !== undefined));
  const convertedRows = rows.map((row) => convertArgs(setup, converts, row));
  const inlined = new Map<number, Value>();
  const impl = entry.impl;
  const run = { resultType: call.resultType, inlined };
  switch (impl.kind) {
    case "stateless":
      return {
        ...run,
        results: convertedRows.map((args, row) => {
          if (!impl.passNulls && hasNull(args, false)) return null;
          const value = impl.apply(args, call);
          const template = impl.inline?.(
            args.map((_, i) => `a${i}`),
            call,
          );
          if (template !== undefined) inlined.set(row, evalInline(template, args));
          return value;
        }),
      };
    case "stateful": {
      if (effectiveLifespan === "immediately") {
        const immediate = impl.immediate;
        if (!immediate) throw new Error(`${entry.name} has no IMMEDIATELY mode`);
        return { ...run, results: convertedRows.map((args) => immediate(args, call)) };
      }
      let state = impl.init(call);
      return {
        ...run,
        results: convertedRows.map((args) => {
          if (call.nulls === "keep" || !hasNull(args, true)) state = impl.update(state, args, call);
          return impl.finalize(state, call);
        }),
      };
    }
    case "generator":
      return { ...run, results: convertedRows.map((args) => (hasNull(args, false) ? [] : [...impl.generate(args, call)])) };
  }
}

// ---- vector files (stdlib/vectors/NAME.json, format in stdlib/README.md) ------------------

const VECTOR_DIR = fileURLToPath(new URL("../../stdlib/vectors/", import.meta.url));

export interface VectorCase {
  /** argument types in RaQL syntax */
  readonly types: readonly string[];
  /** argument values as RaQL literals; null for an omitted optional argument */
  readonly rows?: readonly (readonly (string | null)[])[];
  readonly results?: readonly string[];
  readonly constant?: readonly boolean[];
  /** as in the Call, except `peekType`, written as a type (`"u16"`) */
  readonly options?: Record<string, unknown>;
  readonly lifespan?: Lifespan;
  readonly nulls?: NullHandling;
  readonly error?: string;
  readonly tolerance?: number;
  readonly context?: VectorContext;
}

/** The run-time context of nullary values (NOW, RANDOM, #start, #stop), when a case fixes it. */
export interface VectorContext {
  readonly now?: number;
  readonly random?: number;
  readonly eventStart?: number;
  readonly eventStop?: number;
}

export interface VectorFile {
  readonly function: string;
  readonly cases: readonly VectorCase[];
}

export function hasVectors(name: string): boolean {
  return existsSync(VECTOR_DIR + name + ".json");
}

export function loadVectors(name: string): VectorFile {
  return JSON.parse(readFileSync(VECTOR_DIR + name + ".json", "utf8")) as VectorFile;
}

function callOptions(options: Record<string, unknown> | undefined): CallOptions {
  if (!options) return {};
  const { peekType, ...rest } = options;
  return typeof peekType === "string" ? { ...rest, peekType: parseType(peekType) } : (rest as CallOptions);
}

function runContext({ random, ...times }: VectorContext): RunContext {
  return random === undefined ? times : { ...times, random: () => random };
}

/**
 * A case as the checker would present the call: argument types (null for an
 * argument omitted in every row), constants read from the first row, and the
 * checker's lifespan.
 */
export function callSetup(entry: FunctionEntry, c: VectorCase): CallSetup {
  const rows = c.rows ?? [];
  const types = c.types.map((t, i) => (rows.length > 0 && rows.every((r) => r[i] === null) ? null : parseType(t)));
  const first = rows[0] ?? [];
  return {
    types,
    constants: types.map((t, i) => (t !== null && c.constant?.[i] === true && first[i] != null ? readValue(first[i], t) : undefined)),
    texts: first.map((text) => text ?? undefined),
    options: callOptions(c.options),
    lifespan: c.lifespan,
    nulls: c.nulls,
    effectiveLifespan: checkerLifespan(entry, types, c.lifespan),
    context: runContext(c.context ?? {}),
  };
}

/** The argument values of a row, at the written types (null for omitted arguments). */
export function rowValues(setup: CallSetup, row: readonly (string | null)[]): Value[] {
  return setup.types.map((t, i) => {
    const text = row[i];
    return t === null || text === null || text === undefined ? null : readValue(text, t);
  });
}

// ---- comparing --------------------------------------------------------------------------

function floatsMatch(actual: number, expected: number, tolerance: number | undefined): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (actual === expected) return true;
  if (tolerance === undefined || !Number.isFinite(expected)) return false;
  return Math.abs(actual - expected) <= tolerance * Math.max(Math.abs(actual), Math.abs(expected));
}

/**
 * Why `actual` differs from `expected` (of type t), or undefined when they
 * match: structural equality directed by the type, where an integer must have
 * the JS type of its width, CIDRs compare masked, NaN equals NaN, and floats
 * may differ by the relative `tolerance`.
 */
export function difference(actual: Value, expected: Value, t: Type, tolerance?: number): string | undefined {
  if (expected === null || actual === null) return actual === expected ? undefined : "NULL vs non-NULL";
  switch (t.tag) {
    case "float":
      return typeof actual === "number" && floatsMatch(actual, expected as number, tolerance) ? undefined : "floats differ";
    case "cidr4":
    case "cidr6":
    case "cidr": {
      const a = maskCidr(actual as Cidr);
      const e = expected as Cidr;
      return a.ip === e.ip && a.len === e.len ? undefined : "networks differ";
    }
    case "vector":
    case "list":
    case "tuple":
    case "record": {
      const as = actual as readonly Value[];
      const es = expected as readonly Value[];
      if (!Array.isArray(as) || as.length !== es.length) return "lengths differ";
      const itemType = (i: number): Type =>
        t.tag === "tuple" ? t.items[i]!.type : t.tag === "record" ? t.fields[i]!.type.type : t.item.type;
      for (let i = 0; i < es.length; i++) {
        const d = difference(as[i]!, es[i]!, itemType(i), tolerance);
        if (d) return `item ${i}: ${d}`;
      }
      return undefined;
    }
    default:
      // Same JS type too: an integer held as a number where a bigint is expected is a bug.
      return actual === expected ? undefined : "values differ";
  }
}

export function show(v: Value): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : Number.isNaN(x) ? "NaN" : x));
}
