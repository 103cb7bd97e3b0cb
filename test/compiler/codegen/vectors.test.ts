// Every stateless vector case of stdlib/vectors/*.json (and the IMMEDIATELY
// cases of aggregates) as a TCall over constant or field leaves: the generated
// code must give the expected results. Three variants per case:
// * constants: every argument a literal;
// * fields: the arguments the case does not mark constant read from the row;
// * nullable fields: the same fields typed nullable (when the entry accepts
//   them), plus rows with one NULL field; expectations from the harness's
//   apply-based runner (itself checked against the vector files).

import { describe, expect, it } from "vitest";
import { NO_SPAN } from "../../../grammar/source.js";
import { withNullable, type NType } from "../../../grammar/types.js";
import { valueToJson, type StateRef, type TCall, type TExpr } from "../../../compiler/ir.js";
import type { FunctionEntry, ImplCall } from "../../../stdlib/entry.js";
import { readValue } from "../../../stdlib/read-value.js";
import { ALL_ENTRIES } from "../../../stdlib/registry.js";
import type { Value } from "../../../stdlib/values.js";
import {
  callSetup,
  checkerLifespan,
  difference,
  hasVectors,
  loadVectors,
  rowValues,
  runRows,
  show,
  typeCall,
  type CallSetup,
  type VectorCase,
} from "../../stdlib/harness.js";
import { compile } from "./run.js";

process.env.TZ = "UTC";

type Leaf = "const" | "field";

/** The TCall the checker would build for the typed setup, with argument i a `leaves[i]` of the row's value. */
function callOf(entry: FunctionEntry, setup: CallSetup, row: readonly Value[], leaves: readonly Leaf[]): { expr: TCall; call: ImplCall } {
  const typed = typeCall(entry, setup);
  if (!typed.ok) throw new Error(`typing failed: ${typed.code}`);
  const args = setup.types.map((type, i): TExpr | null => {
    if (type === null) return null;
    const leaf: TExpr =
      leaves[i] === "const"
        ? { kind: "const", type, value: valueToJson(row[i]!), span: NO_SPAN }
        : { kind: "field", variable: "in", name: `a${i}`, index: i, type, span: NO_SPAN };
    const to = typed.converts[i];
    return to === undefined ? leaf : { kind: "convert", expr: leaf, type: to, span: NO_SPAN };
  });
  const lifespan = setup.effectiveLifespan ?? checkerLifespan(entry, setup.types, setup.lifespan);
  const state: StateRef | undefined = lifespan === "immediately" ? { lifespan, nulls: setup.nulls ?? "skip" } : undefined;
  const expr: TCall = {
    kind: "call",
    fn: entry.name,
    args,
    type: typed.call.resultType,
    span: NO_SPAN,
    ...(setup.options ? { options: setup.options } : {}),
    ...(state ? { state } : {}),
  };
  return { expr, call: typed.call };
}

/** Evaluates the call on each row with fresh run-time hooks (RANDOM restarts per case, as in the vector runner). */
function generatedResults(entry: FunctionEntry, setup: CallSetup, rows: readonly (readonly Value[])[], leaves: (row: number) => readonly Leaf[]): Value[] {
  const hooksCall = typeCall(entry, setup);
  if (!hooksCall.ok) throw new Error(`typing failed: ${hooksCall.code}`);
  const { now, random, eventStart, eventStop } = hooksCall.call;
  const hooks = { now, random, eventStart, eventStop };
  for (const k of Object.keys(hooks) as (keyof typeof hooks)[]) if (hooks[k] === undefined) delete hooks[k];
  return rows.map((row, r) => compile(callOf(entry, setup, row, leaves(r)).expr, hooks).evaluate(row));
}

function runnable(entry: FunctionEntry, c: VectorCase): boolean {
  if (c.error !== undefined || !c.rows || c.rows.length === 0) return false;
  if (entry.impl.kind === "stateless") return true;
  if (entry.impl.kind !== "stateful") return false;
  const setup = callSetup(entry, c);
  return setup.effectiveLifespan === "immediately";
}

function expectSame(actual: readonly Value[], expected: readonly Value[], type: NType, tolerance: number | undefined, what: string): void {
  expected.forEach((e, i) => {
    const d = difference(actual[i]!, e, type.type, tolerance);
    expect(d, `${what}, row ${i + 1}: got ${show(actual[i]!)}, expected ${show(e)}`).toBeUndefined();
  });
}

function checkCase(entry: FunctionEntry, c: VectorCase): void {
  const setup = callSetup(entry, c);
  const typed = typeCall(entry, setup);
  if (!typed.ok) throw new Error(`typing failed: ${typed.code}`);
  const resultType = typed.call.resultType;
  const rows = c.rows!.map((r) => rowValues(setup, r));
  const expected = c.results!.map((text) => readValue(text, resultType));
  const constant = setup.types.map((_, i) => c.constant?.[i] === true);

  const allConst = generatedResults(entry, setup, rows, () => setup.types.map(() => "const"));
  expectSame(allConst, expected, resultType, c.tolerance, "constant arguments");

  const fieldLeaves = constant.map((k): Leaf => (k ? "const" : "field"));
  const fields = generatedResults(entry, setup, rows, () => fieldLeaves);
  expectSame(fields, expected, resultType, c.tolerance, "field arguments");

  // The same fields typed nullable, with a row per field where it is NULL.
  const fieldIndexes = fieldLeaves.flatMap((l, i) => (l === "field" && setup.types[i] !== null ? [i] : []));
  if (fieldIndexes.length === 0) return;
  const nullableSetup: CallSetup = { ...setup, types: setup.types.map((t, i) => (t !== null && fieldIndexes.includes(i) ? withNullable(t, true) : t)) };
  if (!typeCall(entry, nullableSetup).ok) return;
  const nullRows = fieldIndexes.map((i) => rows[0]!.map((v, j) => (j === i ? null : v)));
  const allRows = [...rows, ...nullRows];
  let reference;
  try {
    reference = runRows(entry, nullableSetup, allRows);
  } catch {
    return; // the entry rejects NULL values at run time (FORCE): nothing to compare
  }
  const nullable = generatedResults(entry, nullableSetup, allRows, () => fieldLeaves);
  expectSame(nullable, reference.results, reference.resultType, c.tolerance, "nullable field arguments");
}

const entries = ALL_ENTRIES.filter((e) => hasVectors(e.name) && loadVectors(e.name).cases.some((c) => runnable(e, c)));

describe("generated code over the stdlib vectors", () => {
  for (const entry of entries) {
    it(entry.name, () => {
      loadVectors(entry.name).cases.forEach((c, index) => {
        if (!runnable(entry, c)) return;
        try {
          checkCase(entry, c);
        } catch (e) {
          (e as Error).message = `case ${index + 1} (${c.types.join(", ")}): ${(e as Error).message}`;
          throw e;
        }
      });
    });
  }
});
