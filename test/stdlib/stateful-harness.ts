// Runs registry entries of stateful functions the way the checker and the
// generated code do: a TypingCall over argument types (failures become the
// message code), then init / update / finalize over rows of values, with SKIP
// NULLS applied by the caller, or `immediate` in IMMEDIATELY mode. Also reads
// the vector files of stdlib/vectors (format in stdlib/README.md).

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CallOptions, Lifespan, NullHandling } from "../../grammar/ast.js";
import { MESSAGES, type MessageKey } from "../../grammar/diagnostics.js";
import { NO_SPAN } from "../../grammar/source.js";
import { T, scalarTypeByName, type NType, type Type } from "../../grammar/types.js";
import { castValue } from "../../stdlib/cast.js";
import type { ArgInfo, FunctionEntry, ImplCall, StatefulImpl, TypingCall } from "../../stdlib/entry.js";
import { readValue } from "../../stdlib/read-value.js";
import { entryOf } from "../../stdlib/registry.js";
import type { Value } from "../../stdlib/values.js";

// ---- types as written in vector files ------------------------------------------------------

/** Parses `u8`, `float?`, `u8?[3]`, `string[]?`, `(u8; string?)`: the type syntax of raql.md §2.2. */
export function parseType(text: string): NType {
  let pos = 0;
  const skip = () => {
    while (text[pos] === " ") pos++;
  };
  const base = (): Type => {
    skip();
    if (text[pos] === "(") {
      pos++;
      const items: NType[] = [];
      for (;;) {
        items.push(full());
        skip();
        const c = text[pos++];
        if (c === ")") break;
        if (c !== ";") throw new Error(`bad tuple type ${text}`);
      }
      return T.tuple(items);
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
        const close = text.indexOf("]", pos);
        const dim = text.slice(pos + 1, close).trim();
        pos = close + 1;
        const item = { type: t, nullable };
        t = dim === "" ? T.list(item) : T.vector(Number(dim), item);
        nullable = false;
      } else return { type: t, nullable };
    }
  };
  const t = full();
  if (pos !== text.length) throw new Error(`bad type ${text}`);
  return t;
}

// ---- typing ----------------------------------------------------------------------------------

class TypingFailure extends Error {
  constructor(readonly key: MessageKey) {
    super(key);
  }
}

export interface CallSetup {
  readonly types: readonly (NType | null)[];
  /** constant arguments' values (undefined: not constant) */
  readonly constants: readonly (Value | undefined)[];
  readonly texts?: readonly string[];
  readonly options?: CallOptions;
  readonly lifespan?: Lifespan;
  readonly nulls?: NullHandling;
  readonly random?: () => number;
}

export type Typed =
  | { readonly ok: true; readonly call: ImplCall; readonly converts: readonly (NType | undefined)[] }
  | { readonly ok: false; readonly code: string };

export function typeCall(entry: FunctionEntry, setup: CallSetup): Typed {
  const converts: (NType | undefined)[] = setup.types.map(() => undefined);
  const args: (ArgInfo | null)[] = setup.types.map((t, i) => {
    if (t === null) return null;
    const constValue = setup.constants[i];
    return {
      type: t,
      isConstant: constValue !== undefined,
      ...(constValue !== undefined ? { constValue } : {}),
      span: NO_SPAN,
      text: setup.texts?.[i] ?? `arg${i}`,
    };
  });
  const call: TypingCall = {
    fn: entry.name,
    args,
    ...(setup.lifespan ? { lifespan: setup.lifespan } : {}),
    ...(setup.nulls ? { nulls: setup.nulls } : {}),
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
    const argTypes = setup.types.map((t, i) => converts[i] ?? t);
    const constants = setup.constants.map((v, i) => (v === undefined || !converts[i] ? v : castValue(v, setup.types[i]!, converts[i]!)));
    return {
      ok: true,
      converts,
      call: {
        argTypes,
        resultType,
        nulls: setup.nulls ?? "skip",
        options: setup.options ?? {},
        constants,
        ...(setup.random ? { random: setup.random } : {}),
      },
    };
  } catch (e) {
    if (e instanceof TypingFailure) return { ok: false, code: MESSAGES[e.key].code };
    throw e;
  }
}

// ---- running -----------------------------------------------------------------------------------

function isImmediate(setup: CallSetup): boolean {
  if (setup.lifespan !== undefined) return setup.lifespan === "immediately";
  const present = setup.types.filter((t) => t !== null);
  const only = present[0];
  return present.length === 1 && (only!.type.tag === "list" || only!.type.tag === "vector");
}

/**
 * Feeds `rows` (argument values, null for omitted arguments) to one state and
 * returns the value read after each row; in IMMEDIATELY mode each row is one
 * independent evaluation.
 */
export function runRows(entry: FunctionEntry, setup: CallSetup, rows: readonly (readonly Value[])[]): { type: NType; results: Value[] } {
  const typed = typeCall(entry, setup);
  if (!typed.ok) throw new Error(`typing failed with ${typed.code}`);
  const { call, converts } = typed;
  const impl = entry.impl as StatefulImpl;
  if (impl.kind !== "stateful") throw new Error(`${entry.name} is not stateful`);
  const convert = (row: readonly Value[]) =>
    row.map((v, i) => (v === null || !converts[i] ? v : castValue(v, setup.types[i]!, converts[i]!)));
  const results: Value[] = [];
  if (isImmediate(setup)) {
    if (!impl.immediate) throw new Error(`${entry.name} has no immediate mode`);
    for (const row of rows) results.push(impl.immediate(convert(row), call));
    return { type: call.resultType, results };
  }
  let state = impl.init(call);
  for (const row of rows) {
    const values = convert(row);
    const skip = call.nulls === "skip" && values.some((v, i) => v === null && setup.types[i] !== null && setup.constants[i] === undefined);
    if (!skip) state = impl.update(state, values, call);
    results.push(impl.finalize(state, call));
  }
  return { type: call.resultType, results };
}

// ---- vector files ---------------------------------------------------------------------------------

export interface VectorCase {
  readonly types: readonly string[];
  readonly rows?: readonly (readonly (string | null)[])[];
  readonly results?: readonly string[];
  readonly constant?: readonly boolean[];
  readonly options?: CallOptions;
  readonly lifespan?: Lifespan;
  readonly nulls?: NullHandling;
  readonly error?: string;
  readonly tolerance?: number;
}

export interface VectorFile {
  readonly function: string;
  readonly cases: readonly VectorCase[];
}

export function loadVectors(name: string): VectorFile {
  const path = fileURLToPath(new URL(`../../stdlib/vectors/${name}.json`, import.meta.url));
  return JSON.parse(readFileSync(path, "utf8")) as VectorFile;
}

export function entryNamed(name: string): FunctionEntry {
  const e = entryOf(name);
  if (!e) throw new Error(`no entry ${name}`);
  return e;
}

/** Runs one case: either the typing error code, or the actual and expected results. */
export function runCase(entry: FunctionEntry, c: VectorCase): { code?: string; actual: Value[]; expected: Value[] } {
  const types = c.types.map(parseType);
  const rows = c.rows ?? [];
  // Omitted optional arguments: null in every row.
  const argTypes = types.map((t, i) => (rows.length > 0 && rows.every((r) => r[i] === null) ? null : t));
  const firstRow = rows[0] ?? [];
  const constants = types.map((t, i) => (c.constant?.[i] && firstRow[i] != null ? readValue(firstRow[i], t) : undefined));
  const setup: CallSetup = {
    types: argTypes,
    constants,
    texts: c.types.map((_, i) => firstRow[i] ?? `arg${i}`),
    ...(c.options ? { options: c.options } : {}),
    ...(c.lifespan ? { lifespan: c.lifespan } : {}),
    ...(c.nulls ? { nulls: c.nulls } : {}),
  };
  if (c.error !== undefined) {
    const typed = typeCall(entry, setup);
    return { ...(typed.ok ? {} : { code: typed.code }), actual: [], expected: [] };
  }
  const values = rows.map((r) => r.map((text, i) => (text === null ? null : readValue(text, types[i]!))));
  const { type, results } = runRows(entry, setup, values);
  return { actual: results, expected: (c.results ?? []).map((text) => readValue(text, type)) };
}

/** Deep equality of values where floats may differ by a relative tolerance and NaN equals NaN. */
export function valuesMatch(a: Value, b: Value, tolerance = 0): boolean {
  if (typeof a === "number" && typeof b === "number") {
    if (a !== a || b !== b) return a !== a && b !== b;
    if (a === b) return true;
    return tolerance > 0 && Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b));
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => valuesMatch(x, b[i]!, tolerance));
  return a === b;
}
