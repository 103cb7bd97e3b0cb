// Compact builders of AST nodes, for checker tests that do not go through the
// parser. Spans are all empty: these tests look at types and message keys.

import type { Aggregate, Call, Expr, FunctionDef, LiteralValue, Program, SelectItem, Source, Variable } from "../../grammar/ast.js";
import { NO_SPAN, SourceFile } from "../../grammar/source.js";
import type { IntWidth, NType } from "../../grammar/types.js";
import type { Units } from "../../grammar/units.js";
import { checkProgramAst } from "../../compiler/program.js";
import { Reporter } from "../../compiler/report.js";
import type { ProgramIR, ProgramSchema } from "../../compiler/ir.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { isRamenError } from "../../grammar/diagnostics.js";

const span = NO_SPAN;

export function lit(value: LiteralValue, nullable = false): Expr {
  return { kind: "literal", value, nullable, span };
}
export const int = (v: number | bigint, width?: IntWidth, signed?: boolean): Expr =>
  lit({ tag: "int", value: BigInt(v), ...(width ? { width, signed: signed ?? false } : {}) });
export const float = (v: number): Expr => lit({ tag: "float", value: v });
export const str = (v: string): Expr => lit({ tag: "string", value: v });
export const bool = (v: boolean): Expr => lit({ tag: "bool", value: v });
export const nul = (): Expr => lit({ tag: "null" });
export const dur = (seconds: number): Expr => lit({ tag: "duration", seconds });
export const field = (name: string, variable?: Variable): Expr => ({ kind: "field", name, ...(variable ? { variable } : {}), span });
export const call = (fn: string, ...args: (Expr | null)[]): Call => ({ kind: "call", fn, args, span });
export const withUnits = (expr: Expr, units: Units): Expr => ({ kind: "units", expr, units, span });
export const vec = (...items: Expr[]): Expr => ({ kind: "vector", items, span });
export const cast = (to: NType, expr: Expr): Expr => ({ kind: "cast", to, expr, span });
export const ifThen = (when: Expr, then: Expr, otherwise?: Expr): Expr => ({
  kind: "case",
  branches: [{ when, then }],
  ...(otherwise ? { else: otherwise } : {}),
  span,
});

export const item = (expr: Expr, alias?: string): SelectItem => ({ kind: "field", expr, span, ...(alias ? { alias } : {}) });
export const star = (...exclude: string[]): SelectItem => ({ kind: "star", span, exclude });
export const from = (name: string, program?: string): Source => ({ kind: "function", name, span, ...(program ? { program } : {}) });

export function select(items: SelectItem[] | undefined, rest: Partial<Omit<Aggregate, "kind" | "span" | "select">> = {}): Aggregate {
  return { kind: "aggregate", ...(items ? { select: items } : {}), from: [], span, ...rest };
}

export function define(name: string, operation: Aggregate | FunctionDef["operation"], rest: Partial<FunctionDef> = {}): FunctionDef {
  return { name, lazy: false, operation, span, ...rest };
}

export function program(functions: FunctionDef[], rest: Partial<Program> = {}): Program {
  return { params: [], globals: [], functions, span, ...rest };
}

export interface Checked {
  ir?: ProgramIR;
  errors: readonly Diagnostic[];
  warnings: readonly Diagnostic[];
}

/** Checks a hand-built program; returns the IR or the errors, and the warnings. */
export function check(p: Program, resolveProgram: (name: string) => ProgramSchema | undefined = () => undefined, name = "test/prog"): Checked {
  const report = new Reporter(new SourceFile("test.ramen", ""));
  try {
    const ir = checkProgramAst(p, report, { programName: name, resolveProgram });
    return { ir, errors: [], warnings: report.warnings };
  } catch (err) {
    if (!isRamenError(err)) throw err;
    return { errors: err.diagnostics, warnings: report.warnings };
  }
}
