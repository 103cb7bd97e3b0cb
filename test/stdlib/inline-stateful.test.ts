// The inline forms of stateful functions (InlineStateful, stdlib/entry.ts),
// compiled the way generated code uses them: the templates spliced into a
// loop and compiled once with `new Function`, the state either in `let`
// locals (one state) or in typed arrays indexed by group number. They must
// give the results of the vector files, and the same results as the generic
// init / update / finalize on random inputs, resets of groups included.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { T, ntypeToString, type NType } from "../../grammar/types.js";
import type { FunctionEntry, ImplCall, InlineRefs, InlineStateful, InlineStorage, StatefulImpl } from "../../stdlib/entry.js";
import { typedArrayOf } from "../../stdlib/inline-state.js";
import { readValue } from "../../stdlib/read-value.js";
import { ALL_ENTRIES } from "../../stdlib/registry.js";
import type { Value } from "../../stdlib/values.js";
import {
  callSetup,
  convertArgs,
  difference,
  entryNamed,
  loadVectors,
  rowValues,
  typeCall,
  type CallSetup,
  type Typed,
  type VectorCase,
} from "./harness.js";

// ---- typing calls -------------------------------------------------------------------------------

/**
 * Types a call over a sequence of tuples (LOCALLY) as the checker does; the
 * ImplCall the code generator gets, and the conversions the typing asked for.
 */
function typeLocally(entry: FunctionEntry, setup: CallSetup): Extract<Typed, { ok: true }> {
  const typed = typeCall(entry, { ...setup, lifespan: "locally", effectiveLifespan: "locally" });
  if (!typed.ok) throw new Error(`typing ${entry.name} failed with ${typed.code}`);
  return typed;
}

// ---- a minimal code generator ------------------------------------------------------------------

type Layout = "locals" | "groups";

/** One input of a state: a tuple's argument values, a tuple skipped for a NULL argument, or a reset (FLUSH). */
type Event =
  | { readonly group: number; readonly kind: "update"; readonly args: readonly Value[] }
  | { readonly group: number; readonly kind: "skip" }
  | { readonly group: number; readonly kind: "reset" };

/**
 * A value of each storage that no template writes at init, so that a
 * variable init forgets shows in the results.
 */
const GARBAGE: Record<InlineStorage, string> = { f64: "3.5", i32: "-3", u32: "3", bool: "1", i64: "-3n", u64: "3n" };

/**
 * Compiles `copies` instances of the same form into one function (each with
 * its own state, fed the same events), as generated code splices several
 * calls into one loop: the results of every copy, read after each event.
 */
function compile(form: InlineStateful, arity: number, layout: Layout, groups: number, copies = 2): (events: readonly Event[]) => Value[][] {
  let counter = 0;
  const decls: string[] = [];
  const inits: string[] = [];
  const updates: string[] = [];
  const reads: string[] = [];
  const args = Array.from({ length: arity }, (_, i) => `a${i}`);
  for (let c = 0; c < copies; c++) {
    const slots = new Map(form.vars.map((v) => [v.name, v.slots]));
    const ident = (name: string) => {
      if (!slots.has(name)) throw new Error(`template refers to undeclared variable ${name}`);
      return `s${c}_${name}`;
    };
    const refs: InlineRefs = {
      scalar: (name) => {
        if (slots.get(name) !== undefined) throw new Error(`${name} is a ring`);
        return layout === "locals" ? ident(name) : `${ident(name)}[g]`;
      },
      slot: (name, index) => {
        const n = slots.get(name);
        if (n === undefined) throw new Error(`${name} is not a ring`);
        return layout === "locals" ? `${ident(name)}[${index}]` : `${ident(name)}[g * ${n} + (${index})]`;
      },
      fresh: (hint) => `t_${hint}_${counter++}`,
    };
    for (const v of form.vars) {
      const array = typedArrayOf(v.storage);
      const length = (v.slots ?? 1) * (layout === "locals" ? 1 : groups);
      if (layout === "locals" && v.slots === undefined) decls.push(`let ${ident(v.name)} = ${GARBAGE[v.storage]};`);
      else decls.push(`const ${ident(v.name)} = new ${array}(${length}).fill(${GARBAGE[v.storage]});`);
    }
    inits.push(form.init(refs));
    updates.push(form.update(refs, args));
    const value = form.value(refs);
    reads.push(form.isNull ? `(${form.isNull(refs)}) ? null : ${value}` : value);
  }
  const init = inits.join("\n");
  const body = `
    ${decls.join("\n")}
    const out = [${reads.map(() => "[]").join(", ")}];
    ${layout === "locals" ? `{ ${init} }` : `for (let g = 0; g < ${groups}; g++) { ${init} }`}
    for (let e = 0; e < events.length; e++) {
      const ev = events[e];
      ${layout === "locals" ? "" : "const g = ev.group;"}
      if (ev.kind === "reset") { ${init} }
      else if (ev.kind === "update") {
        ${args.map((a, i) => `const ${a} = ev.args[${i}];`).join(" ")}
        ${updates.join("\n")}
      }
      ${reads.map((r, i) => `out[${i}].push(${r});`).join("\n")}
    }
    return out;`;
  return new Function("events", body) as (events: readonly Event[]) => Value[][];
}

/** The results of the generic implementation: one state per group, NULL-skipped tuples leaving it as is. */
function runGeneric(impl: StatefulImpl, call: ImplCall, events: readonly Event[], groups: number): Value[] {
  const states = Array.from({ length: groups }, () => impl.init(call));
  return events.map((ev) => {
    if (ev.kind === "reset") states[ev.group] = impl.init(call);
    else if (ev.kind === "update") states[ev.group] = impl.update(states[ev.group], ev.args, call);
    return impl.finalize(states[ev.group], call);
  });
}

/** Runs a form in one layout; checks that every spliced copy agrees and returns the results. */
function runInline(form: InlineStateful, arity: number, layout: Layout, groups: number, events: readonly Event[]): Value[] {
  const [first, ...others] = compile(form, arity, layout, groups)(events);
  for (const other of others) expect(other).toEqual(first);
  return first!;
}

function statefulImpl(entry: FunctionEntry): StatefulImpl {
  if (entry.impl.kind !== "stateful") throw new Error(`${entry.name} is not stateful`);
  return entry.impl;
}

function expectSame(actual: readonly Value[], expected: readonly Value[], type: NType, tolerance?: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => {
    if (difference(v, expected[i]!, type.type, tolerance) !== undefined) expect(v, `result after event ${i + 1}`).toEqual(expected[i]);
  });
}

// ---- which entries are inlined -------------------------------------------------------------------

/** The functions whose numeric calls must have an inline form (the issue's list). */
const REQUIRED = [
  "sum",
  "avg",
  "min",
  "max",
  "count",
  "first",
  "last",
  "agg_and",
  "agg_or",
  "bitand",
  "bitor",
  "bitxor",
  "moveavg",
  "season_moveavg",
  "lag",
  "smooth",
  "smooth_damped_holt",
  "smooth_damped_holt_winter",
  "derive",
  "hysteresis",
];

const INLINED = ALL_ENTRIES.filter((e) => e.impl.kind === "stateful" && e.impl.inline !== undefined).map((e) => e.name);

describe("inline forms", () => {
  it("exist for every numeric aggregate and window function of the issue", () => {
    expect(INLINED).toEqual(expect.arrayContaining(REQUIRED));
  });

  it("are refused with KEEP NULLS and for non-numeric operands", () => {
    const inlineOf = (name: string, setup: CallSetup) => statefulImpl(entryNamed(name)).inline?.(typeLocally(entryNamed(name), setup).call);
    const u8n: NType = { type: T.u8, nullable: true };
    expect(inlineOf("sum", { types: [u8n], constants: [undefined], nulls: "keep" })).toBeUndefined();
    expect(inlineOf("sum", { types: [{ type: T.u128, nullable: false }], constants: [undefined] })).toBeUndefined();
    expect(inlineOf("min", { types: [{ type: T.string, nullable: false }], constants: [undefined] })).toBeUndefined();
    expect(inlineOf("lag", { types: [{ type: T.ip6, nullable: false }], constants: [undefined] })).toBeUndefined();
    expect(inlineOf("sum", { types: [u8n], constants: [undefined] })).toBeDefined();
  });
});

// ---- the vector files ----------------------------------------------------------------------------------

/** Cases over a sequence of tuples: no typing error, not IMMEDIATELY (explicit, or the checker's default over a list). */
function overTuples(entry: FunctionEntry, c: VectorCase): boolean {
  return c.error === undefined && callSetup(entry, c).effectiveLifespan !== "immediately";
}

/** Independent of the templates: a case an inline form must accept (numeric or boolean arguments, SKIP NULLS). */
function mustInline(c: VectorCase, types: readonly (NType | null)[]): boolean {
  return (
    c.nulls !== "keep" &&
    types.every((t) => {
      const type = t?.type;
      return type === undefined || type.tag === "bool" || type.tag === "float" || (type.tag === "int" && type.width <= 64);
    })
  );
}

describe.each(INLINED)("%s: vector cases", (name) => {
  const entry = entryNamed(name);
  const impl = statefulImpl(entry);
  const cases = loadVectors(name).cases.filter((c) => overTuples(entry, c));

  it("inlines at least one case", () => {
    expect(cases.filter((c) => impl.inline?.(typeLocally(entry, callSetup(entry, c)).call) !== undefined).length).toBeGreaterThan(0);
  });

  cases.forEach((c, i) => {
    it(`case ${i + 1}: ${c.types.join(", ")}${c.nulls === "keep" ? " KEEP NULLS" : ""}`, () => {
      const setup = callSetup(entry, c);
      const typed = typeLocally(entry, setup);
      const form = impl.inline?.(typed.call);
      if (form === undefined) {
        expect(mustInline(c, setup.types), "an inline form for these types").toBe(false);
        return;
      }
      const events: Event[] = (c.rows ?? []).map((row) => {
        const values = convertArgs(setup, typed.converts, rowValues(setup, row));
        const skipped = values.some((v, j) => v === null && setup.types[j] !== null && setup.constants[j] === undefined);
        return skipped ? { group: 0, kind: "skip" } : { group: 0, kind: "update", args: values };
      });
      const expected = (c.results ?? []).map((text) => readValue(text, typed.call.resultType));
      const arity = setup.types.length;
      expectSame(runInline(form, arity, "locals", 1, events), expected, typed.call.resultType, c.tolerance);
      expectSame(runInline(form, arity, "groups", 1, events), expected, typed.call.resultType, c.tolerance);
    });
  });
});

// ---- inline and generic forms agree --------------------------------------------------------------------

const GROUPS = 3;

const nt = (type: NType["type"], nullable = false): NType => ({ type, nullable });
const float = nt(T.float);

/** Doubles including NaN, infinities, -0 and values of very different magnitudes. */
const arbFloat = fc.oneof(
  { arbitrary: fc.double(), weight: 3 },
  { arbitrary: fc.integer({ min: -100, max: 100 }), weight: 3 },
  { arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0, Number.MAX_VALUE, -Number.MAX_VALUE), weight: 1 },
);

/** A value of a scalar type: integers over their whole range. */
function arbScalar(t: NType): fc.Arbitrary<Value> {
  const type = t.type;
  let v: fc.Arbitrary<Value>;
  if (type.tag === "float") v = arbFloat;
  else if (type.tag === "bool") v = fc.boolean();
  else if (type.tag === "string") v = fc.string({ maxLength: 3 });
  else if (type.tag === "int") {
    const bits = BigInt(type.width);
    const [min, max] = type.signed ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
    const big = fc.bigInt({ min, max });
    v = type.width > 32 ? big : big.map(Number);
  } else throw new Error(`no generator for ${type.tag}`);
  return t.nullable ? fc.option(v, { nil: null, freq: 4 }) : v;
}

/** An argument: a constant drawn once per run (window sizes…), or a value per tuple. */
type ArgSpec = { readonly type: NType; readonly constant: fc.Arbitrary<Value> } | { readonly type: NType; readonly values?: fc.Arbitrary<Value> };

interface AgreementCase {
  readonly name: string;
  readonly args: readonly ArgSpec[];
}

const size = (min: number, max: number): ArgSpec => ({ type: nt(T.u32), constant: fc.integer({ min, max }) });
const coefficient = (): ArgSpec => ({ type: float, values: fc.double({ min: 0, max: 1, noNaN: true }) });
const arg = (type: NType): ArgSpec => ({ type });
const one = (type: NType): readonly ArgSpec[] => [arg(type)];

const INTS = [T.u8, T.i8, T.u16, T.i16, T.int(false, 24), T.int(true, 24), T.u32, T.i32, T.int(false, 48), T.int(true, 56), T.u64, T.i64];

const AGREEMENT: readonly AgreementCase[] = [
  ...[float, nt(T.float, true), ...INTS.map((t) => nt(t)), nt(T.u8, true)].map((t) => ({ name: "sum", args: one(t) })),
  ...[float, nt(T.u8, true), nt(T.i32), nt(T.u64)].map((t) => ({ name: "avg", args: one(t) })),
  ...["min", "max", "first", "last"].flatMap((name) =>
    [float, nt(T.float, true), nt(T.u8, true), nt(T.i32), nt(T.u32), nt(T.bool), nt(T.i64)].map((t) => ({ name, args: one(t) })),
  ),
  ...[nt(T.u8, true), nt(T.bool), nt(T.bool, true), nt(T.string)].map((t) => ({ name: "count", args: one(t) })),
  ...["agg_and", "agg_or"].flatMap((name) => [nt(T.bool), nt(T.bool, true)].map((t) => ({ name, args: one(t) }))),
  ...["bitand", "bitor", "bitxor"].flatMap((name) =>
    [nt(T.u8), nt(T.i16, true), nt(T.u32), nt(T.i32), nt(T.u64), nt(T.i64)].map((t) => ({ name, args: one(t) })),
  ),
  ...[float, nt(T.float, true), nt(T.u8)].map((t) => ({ name: "moveavg", args: [size(1, 5), arg(t)] })),
  // Windows of more than 16 values per phase are summed in a loop, smaller ones unrolled.
  { name: "moveavg", args: [size(17, 20), arg(float)] },
  ...[float, nt(T.i16, true)].map((t) => ({ name: "season_moveavg", args: [size(1, 4), size(1, 4), arg(t)] })),
  { name: "season_moveavg", args: [size(2, 3), size(17, 18), arg(float)] },
  ...[nt(T.u8, true), float, nt(T.bool), nt(T.i64)].map((t) => ({ name: "lag", args: one(t) })),
  ...[nt(T.u8, true), float, nt(T.bool, true), nt(T.u64)].map((t) => ({ name: "lag", args: [size(0, 4), arg(t)] })),
  { name: "smooth", args: one(nt(T.float, true)) },
  { name: "smooth", args: [{ type: float, constant: fc.double({ min: 0, max: 1, noNaN: true }) }, arg(nt(T.float, true))] },
  { name: "smooth", args: [coefficient(), arg(nt(T.i32))] },
  { name: "smooth", args: [coefficient(), coefficient(), arg(float), arg(nt(T.float, true))] },
  { name: "smooth_damped_holt", args: [coefficient(), coefficient(), arg(float), arg(nt(T.u16))] },
  {
    name: "smooth_damped_holt_winter",
    args: [coefficient(), coefficient(), coefficient(), size(1, 4), arg(float), arg(nt(T.float, true))],
  },
  { name: "derive", args: [arg(nt(T.float, true)), arg(float)] },
  { name: "derive", args: [arg(nt(T.u8)), arg(nt(T.u32))] },
  { name: "hysteresis", args: [arg(nt(T.float, true)), arg(float), arg(float)] },
  { name: "hysteresis", args: [arg(nt(T.i32)), arg(nt(T.u8)), arg(nt(T.u8))] },
];

function describeCase(c: AgreementCase): string {
  return `${c.name}(${c.args.map((a) => ("constant" in a ? "const " : "") + ntypeToString(a.type)).join(", ")})`;
}

/** Random constants, then events over GROUPS groups: tuples (some with NULLs), and a few resets. */
function arbRun(c: AgreementCase): fc.Arbitrary<{ constants: (Value | undefined)[]; events: Event[] }> {
  const constants = fc.tuple(...c.args.map((a) => ("constant" in a ? a.constant : fc.constant(undefined))));
  return constants.chain((consts) => {
    const row = fc.tuple(...c.args.map((a, i) => (consts[i] !== undefined ? fc.constant(consts[i]!) : ("values" in a && a.values ? a.values : arbScalar(a.type)))));
    const event: fc.Arbitrary<Event> = fc.tuple(fc.integer({ min: 0, max: GROUPS - 1 }), fc.integer({ min: 0, max: 19 }), row).map(([group, dice, args]) => {
      if (dice === 0) return { group, kind: "reset" };
      return args.some((v) => v === null) ? { group, kind: "skip" } : { group, kind: "update", args };
    });
    return fc.record({ constants: fc.constant(consts), events: fc.array(event, { maxLength: 60 }) });
  });
}

describe.each(AGREEMENT.map((c) => [describeCase(c), c] as const))("%s: inline = generic", (_, c) => {
  const entry = entryNamed(c.name);
  const impl = statefulImpl(entry);
  const typeOf = (constants: readonly (Value | undefined)[]): ImplCall => typeLocally(entry, { types: c.args.map((a) => a.type), constants }).call;

  it("in typed arrays per group", () => {
    fc.assert(
      fc.property(arbRun(c), ({ constants, events }) => {
        const call = typeOf(constants);
        const form = impl.inline?.(call);
        expect(form).toBeDefined();
        expectSame(runInline(form!, c.args.length, "groups", GROUPS, events), runGeneric(impl, call, events, GROUPS), call.resultType);
      }),
      { numRuns: 60 },
    );
  });

  it("in locals (one state)", () => {
    fc.assert(
      fc.property(arbRun(c), ({ constants, events }) => {
        const call = typeOf(constants);
        const oneGroup = events.map((e) => ({ ...e, group: 0 }));
        expectSame(runInline(impl.inline!(call)!, c.args.length, "locals", 1, oneGroup), runGeneric(impl, call, oneGroup, 1), call.resultType);
      }),
      { numRuns: 60 },
    );
  });
});
