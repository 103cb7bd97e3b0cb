// Runs registry entries the way the checker and the generated code do, for
// the generic runner of the vector files (vectors.test.ts) and the property
// tests: a TypingCall over argument types (a failure becomes its message
// code), conversions of the arguments the typing rule asked for, then rows of
// values through `apply` (and the inline template), one state
// (init / update / finalize, SKIP NULLS applied by the caller), `immediate`,
// or `generate`.

import type { CallOptions, Lifespan, NullHandling } from "../../grammar/ast.js";
import { RamenError, diag } from "../../grammar/diagnostics.js";
import { NO_SPAN } from "../../grammar/source.js";
import { isSequence, type NType } from "../../grammar/types.js";
import { castValue } from "../../stdlib/cast.js";
import type { ArgInfo, FunctionEntry, ImplCall, TypingCall } from "../../stdlib/entry.js";
import { seededRandom } from "../../stdlib/random.js";
import { entryOf } from "../../stdlib/registry.js";
import type { Value } from "../../stdlib/values.js";

/** NOW unless a call's context fixes it: 2001-09-09T01:46:40Z. */
export const FIXED_NOW = 1e9;
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

function runContext(ctx: RunContext): Pick<ImplCall, "now" | "random" | "eventStart" | "eventStop"> {
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
      ...runContext(setup.context ?? {}),
    },
  };
}

function convert<V extends Value | undefined>(v: V, from: NType, to: NType | undefined): V {
  return v === undefined || v === null || to === undefined ? v : (castValue(v, from, to) as V);
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
  const convertedRows = rows.map((row) => row.map((v, i) => (present[i] ? convert(v, setup.types[i]!, converts[i]) : null)));
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
