// Checks a whole program (raql.md §3): parameters, global variables, the
// functions and their parents (in this program or others, relative names,
// sub-queries, cycles), the running condition; then each function in
// dependency order. Produces the program's IR.

import type { Expr, FunctionDef, Operation, ParamDecl, Program, Source } from "../grammar/ast.js";
import { printOperation } from "../grammar/index.js";
import type { Span } from "../grammar/source.js";
import { NType, T, Type, intFits, isNumeric, ntypeToString } from "../grammar/types.js";
import type { Units } from "../grammar/units.js";
import { concretizeN } from "../stdlib/typing.js";
import type { Value } from "../stdlib/values.js";
import { coerceValue, constantOfExpr, intValue, widenConstant } from "./constants.js";
import type { DurationIR, FunctionIR, FunctionSchema, GlobalIR, ParamIR, ProgramIR, ProgramSchema, TExpr } from "./ir.js";
import { valueToJson } from "./ir.js";
import { resolveProgramName } from "./names.js";
import { CheckedFunction, FunctionEnv, FunctionUnit, ParentSchema, checkFunction } from "./operation.js";
import { Reporter, didYouMean, listNames } from "./report.js";
import { ExprTyper, FieldInfo, ProgramScope } from "./typer.js";

export interface ProgramCheckOptions {
  /** the program's full name, with its `#suffix` if any */
  readonly programName: string;
  /** another program's schema by source name (no suffix); undefined if it cannot be found */
  readonly resolveProgram: (name: string) => ProgramSchema | undefined;
  /** parameter values of this instance, overriding the defaults */
  readonly params?: Readonly<Record<string, Value>>;
  /** where `resolveProgram` looked, for the "cannot find parent program" message */
  readonly searchPaths?: readonly string[];
}

interface ParamInfo {
  readonly decl: ParamDecl;
  readonly type: NType;
  readonly units?: Units;
  readonly default: Value;
  used: boolean;
}

interface GlobalInfo {
  readonly ir: GlobalIR;
  readonly span: Span;
  used: boolean;
}

/** Where a FROM source leads. */
type Target =
  | { readonly kind: "local"; readonly name: string; readonly source: Source }
  | { readonly kind: "external"; readonly program: string; readonly schema: FunctionSchema; readonly source: Source }
  | { readonly kind: "failed"; readonly source: Source };

interface PendingFunction {
  readonly unit: FunctionUnit;
  readonly sources: readonly Source[];
  /** names given to the sub-queries among `sources` */
  readonly subqueries: ReadonlyMap<Source, string>;
  targets: Target[];
}

/** The span of a declaration's name, where messages about the declared name point. */
function nameSpanOf(decl: { readonly name: string; readonly span: Span }): Span {
  return { start: decl.span.start, end: Math.min(decl.span.end, decl.span.start + decl.name.length) };
}

/** Type of a parameter declared without one: u32 if the default fits, else i32, else its own (§3.2). */
function inferredParamType(t: Type, v: Value): Type {
  if (t.tag !== "int") return t;
  const big = BigInt(v as number | bigint);
  if (intFits(big, false, 32)) return T.u32;
  if (intFits(big, true, 32)) return T.i32;
  return t;
}

export class ProgramChecker implements ProgramScope {
  private readonly params = new Map<string, ParamInfo>();
  /** parameters whose declaration was rejected: uses of them are not reported again */
  private readonly failedParams = new Set<string>();
  private readonly globals = new Map<string, GlobalInfo>();
  private readonly typer: ExprTyper;
  private readonly schemas = new Map<string, ProgramSchema | undefined>();

  constructor(
    private readonly ast: Program,
    private readonly report: Reporter,
    private readonly opts: ProgramCheckOptions,
  ) {
    this.typer = new ExprTyper(report, this);
  }

  // ---- ProgramScope ----

  param(name: string): FieldInfo | "failed" | undefined {
    if (this.failedParams.has(name)) return "failed";
    const p = this.params.get(name);
    if (!p) return undefined;
    p.used = true;
    return { type: p.type, ...(p.units ? { units: p.units } : {}) };
  }

  paramNames(): readonly string[] {
    return [...this.params.keys()];
  }

  global(name: string): FieldInfo | undefined {
    const g = this.globals.get(name);
    if (!g) return undefined;
    g.used = true;
    return { type: g.ir.type };
  }

  globalNames(): readonly string[] {
    return [...this.globals.keys()];
  }

  // ---- the program ----

  check(): ProgramIR {
    this.declareParams();
    this.declareGlobals();
    const pending = this.collectFunctions();
    const byName = new Map(pending.map((p) => [p.unit.name, p]));
    for (const p of pending) p.targets = p.sources.map((s) => this.resolveSource(s, p, byName));
    const { order, cyclic } = this.orderFunctions(pending, byName);

    const env: FunctionEnv = {
      report: this.report,
      typer: this.typer,
      program: this,
      programName: this.opts.programName,
      duration: (e, context) => this.duration(e, context),
    };
    const checked = new Map<string, CheckedFunction>();
    for (const p of order) {
      if (cyclic.has(p.unit.name)) continue;
      const parents = p.targets.map((t) => this.parentSchema(t, checked, p.subqueries));
      checked.set(p.unit.name, checkFunction(p.unit, parents, env));
    }

    const runIf = this.ast.runIf && this.runningCondition(this.ast.runIf);
    const params = this.paramsIR();
    const globals = [...this.globals.values()].filter((g) => {
      if (!g.used) this.report.warn("unusedGlobal", { name: g.ir.name }, { span: g.span });
      return g.used;
    });
    this.report.throwIfErrors();
    return {
      name: this.opts.programName,
      params,
      globals: globals.map((g) => g.ir),
      ...(runIf ? { runIf } : {}),
      functions: order.map((p) => checked.get(p.unit.name)!.ir),
    };
  }

  private declareParams(): void {
    for (const decl of this.ast.params) {
      if (this.params.has(decl.name)) {
        this.report.error("duplicateName", { name: decl.name }, { span: nameSpanOf(decl) });
        continue;
      }
      const info = this.paramInfo(decl);
      if (info) this.params.set(decl.name, info);
      else this.failedParams.add(decl.name);
    }
  }

  private paramInfo(decl: ParamDecl): ParamInfo | undefined {
    const where = { span: nameSpanOf(decl) };
    const c = decl.default && constantOfExpr(decl.default);
    if (decl.default && !c) {
      this.report.error("mustBeConstant", { what: `the default value of parameter ${decl.name}` }, { span: decl.default.span });
      return undefined;
    }
    const units = decl.units ?? c?.units;
    const base = { decl, ...(units ? { units } : {}), used: false };
    if (decl.type) {
      if (!c) {
        if (!decl.type.nullable) {
          this.report.error("paramNeedsDefault", { name: decl.name }, where);
          return undefined;
        }
        return { ...base, type: decl.type, default: null };
      }
      const value = widenConstant(c.value, c.type.type, decl.type);
      if (value === undefined) {
        const args = { name: decl.name, expected: ntypeToString(decl.type), got: ntypeToString(concretizeN(c.type)) };
        this.report.error("paramDefaultIncompatible", args, { span: decl.default!.span });
        return undefined;
      }
      return { ...base, type: decl.type, default: value };
    }
    if (!c || c.value === null) {
      this.report.error("paramNeedsTypeOrDefault", { name: decl.name }, where);
      return undefined;
    }
    const type = { type: inferredParamType(concretizeN(c.type).type, c.value), nullable: c.type.nullable };
    const value = type.type.tag === "int" ? intValue(BigInt(c.value as number | bigint), type.type.width) : c.value;
    return { ...base, type, default: value };
  }

  private declareGlobals(): void {
    for (const g of this.ast.globals) {
      if (this.params.has(g.name) || this.globals.has(g.name)) {
        this.report.error("duplicateName", { name: g.name }, { span: nameSpanOf(g) });
        continue;
      }
      if (g.scope === "global") {
        this.report.error("unsupportedGlobalScope", {}, { span: nameSpanOf(g) });
        continue;
      }
      const t = g.type.type;
      const isStringMap = t.tag === "map" && t.key.type.tag === "string" && t.value.type.tag === "string";
      if (!isStringMap) {
        this.report.error("unsupportedGlobalType", { type: ntypeToString(g.type) }, { span: nameSpanOf(g) });
        continue;
      }
      this.globals.set(g.name, { ir: { name: g.name, type: g.type, scope: g.scope }, span: nameSpanOf(g), used: false });
    }
  }

  private paramsIR(): ParamIR[] {
    const overrides = this.opts.params ?? {};
    for (const name of Object.keys(overrides)) {
      if (!this.params.has(name)) {
        this.report.error("noSuchParameter", { name, available: listNames(this.paramNames()) }, { hint: didYouMean(name, this.paramNames()) });
      }
    }
    const out: ParamIR[] = [];
    for (const p of this.params.values()) {
      let value = p.default;
      if (Object.hasOwn(overrides, p.decl.name)) {
        const given = overrides[p.decl.name]!;
        const coerced = coerceValue(given, p.type);
        if (coerced === undefined) {
          this.report.error("paramValueIncompatible", { value: String(given), name: p.decl.name, type: ntypeToString(p.type) }, {});
        } else value = coerced;
      }
      if (!p.used) {
        this.report.warn("unusedParameter", { name: p.decl.name }, { span: nameSpanOf(p.decl) });
        continue;
      }
      out.push({
        name: p.decl.name,
        type: p.type,
        ...(p.units ? { units: p.units } : {}),
        default: valueToJson(p.default),
        value: valueToJson(value),
        doc: p.decl.doc ?? "",
      });
    }
    return out;
  }

  // ---- functions and parents ----

  private collectFunctions(): PendingFunction[] {
    const taken = new Set(this.ast.functions.map((f) => f.name).filter((n): n is string => n !== undefined));
    const fresh = (base: string): string => {
      let name = base;
      for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
      taken.add(name);
      return name;
    };
    const out: PendingFunction[] = [];
    const seen = new Set<string>();
    let anonymous = 0;
    const add = (def: FunctionDef | undefined, name: string, operation: Operation, span: Span, nameSpan: Span): void => {
      const sources = operation.kind === "aggregate" ? operation.from : [];
      const subqueries = new Map<Source, string>();
      sources.forEach((s, i) => {
        if (s.kind !== "subquery") return;
        const subName = fresh(`${name}_subquery${sources.length > 1 ? "_" + (i + 1) : ""}`);
        subqueries.set(s, subName);
        add(undefined, subName, s.operation, s.span, s.span);
      });
      out.push({
        unit: {
          name,
          span,
          nameSpan,
          doc: def?.doc ?? "",
          lazy: def?.lazy ?? false,
          ...(def?.persistFor ? { persistFor: def.persistFor } : {}),
          ...(def?.queryingEvery ? { queryingEvery: def.queryingEvery } : {}),
          ...(def?.bestAfter ? { bestAfter: def.bestAfter } : {}),
          operation,
          text: printOperation(operation),
        },
        sources,
        subqueries,
        targets: [],
      });
    };
    for (const def of this.ast.functions) {
      const nameSpan = def.nameSpan ?? def.span;
      let name = def.name;
      if (name === undefined) name = fresh(`anonymous_${++anonymous}`);
      else if (seen.has(name)) {
        this.report.error("duplicateName", { name }, { span: nameSpan });
        continue;
      } else if (name.includes("#")) this.report.error("hashInFunctionName", {}, { span: nameSpan });
      seen.add(name);
      add(def, name, def.operation, def.span, nameSpan);
    }
    return out;
  }

  private resolveSource(s: Source, child: PendingFunction, byName: ReadonlyMap<string, PendingFunction>): Target {
    const context = `in function ${child.unit.name}, FROM clause`;
    if (s.kind === "subquery") return { kind: "local", name: child.subqueries.get(s)!, source: s };
    if (s.name.includes("*")) {
      this.report.error("notSupported", { what: "a glob pattern as parent name" }, { span: s.span, context });
      return { kind: "failed", source: s };
    }
    const own = this.opts.programName;
    const resolved = s.program === undefined ? undefined : resolveProgramName(own, s.program);
    if (s.program !== undefined && !resolved) {
      this.report.error("invalidProgramName", { name: s.program }, { span: s.span, context });
      return { kind: "failed", source: s };
    }
    if (!resolved || resolved.program === own) {
      if (byName.has(s.name)) return { kind: "local", name: s.name, source: s };
      const names = [...byName.keys()];
      this.report.error("unknownParentFunction", { name: s.name, available: listNames(names) }, { span: s.span, context, hint: didYouMean(s.name, names) });
      return { kind: "failed", source: s };
    }
    const schema = this.programSchema(resolved.source);
    if (!schema) {
      const paths = this.opts.searchPaths && this.opts.searchPaths.length > 0 ? this.opts.searchPaths.join(", ") : "the lib path";
      this.report.error("missingParentProgram", { name: resolved.source, paths }, { span: s.span, context });
      return { kind: "failed", source: s };
    }
    const fn = schema.functions.find((f) => f.name === s.name);
    if (!fn) {
      const names = schema.functions.map((f) => f.name);
      this.report.error("unknownParentFunction", { name: s.name, available: listNames(names) }, { span: s.span, context, hint: didYouMean(s.name, names) });
      return { kind: "failed", source: s };
    }
    return { kind: "external", program: resolved.program, schema: fn, source: s };
  }

  private programSchema(source: string): ProgramSchema | undefined {
    if (!this.schemas.has(source)) this.schemas.set(source, this.opts.resolveProgram(source));
    return this.schemas.get(source);
  }

  /** Parents before children (declaration order otherwise); functions on a cycle are reported. */
  private orderFunctions(pending: readonly PendingFunction[], byName: ReadonlyMap<string, PendingFunction>): { order: PendingFunction[]; cyclic: Set<string> } {
    const state = new Map<string, "visiting" | "done">();
    const order: PendingFunction[] = [];
    const cyclic = new Set<string>();
    const path: string[] = [];
    const visit = (p: PendingFunction): void => {
      const name = p.unit.name;
      state.set(name, "visiting");
      path.push(name);
      for (const t of p.targets) {
        if (t.kind !== "local") continue;
        const s = state.get(t.name);
        if (s === "visiting") {
          const loop = [...path.slice(path.indexOf(t.name)), t.name];
          for (const n of loop) cyclic.add(n);
          this.report.error("cycle", { path: loop.join(" -> ") }, { span: t.source.span, context: `in function ${name}, FROM clause` });
        } else if (s === undefined) visit(byName.get(t.name)!);
      }
      path.pop();
      state.set(name, "done");
      order.push(p);
    };
    for (const p of pending) if (!state.has(p.unit.name)) visit(p);
    return { order, cyclic };
  }

  private parentSchema(t: Target, checked: ReadonlyMap<string, CheckedFunction>, subqueries: ReadonlyMap<Source, string>): ParentSchema {
    const site = t.source.site;
    const own = this.opts.programName;
    switch (t.kind) {
      case "local": {
        const c = checked.get(t.name);
        const link = { program: own, function: t.name, fq: `${own}/${t.name}`, sameProgram: true, ...(site ? { site } : {}) };
        if (!c) return { display: t.name, link, output: [], factors: [], failed: true, failedFields: new Set() };
        return {
          display: subqueries.has(t.source) ? "sub-query" : t.name,
          link,
          output: c.ir.output,
          ...(c.ir.eventTime ? { eventTime: c.ir.eventTime } : {}),
          factors: c.ir.factors,
          failed: false,
          failedFields: c.failedFields,
        };
      }
      case "external": {
        const fq = `${t.program}/${t.schema.name}`;
        return {
          display: fq,
          link: { program: t.program, function: t.schema.name, fq, sameProgram: false, ...(site ? { site } : {}) },
          output: t.schema.output,
          ...(t.schema.eventTime ? { eventTime: t.schema.eventTime } : {}),
          factors: t.schema.factors,
          failed: false,
          failedFields: new Set(),
        };
      }
      case "failed": {
        const name = t.source.kind === "function" ? t.source.name : "sub-query";
        return { display: name, link: { program: "", function: name, fq: name, sameProgram: false }, output: [], factors: [], failed: true, failedFields: new Set() };
      }
    }
  }

  // ---- odds and ends ----

  /** PERSIST FOR, QUERYING EVERY, BEST AFTER: a number, a duration, or a parameter. */
  private duration(e: Expr, context: string): DurationIR | undefined {
    const inner = e.kind === "units" ? e.expr : e;
    if (inner.kind === "literal") {
      const v = inner.value;
      if (v.tag === "duration") return { kind: "const", seconds: v.seconds };
      if (v.tag === "int" && v.value >= 0n) return { kind: "const", seconds: Number(v.value) };
      if (v.tag === "float" && v.value >= 0) return { kind: "const", seconds: v.value };
    }
    if (inner.kind === "field" && (inner.variable === undefined || inner.variable === "param")) {
      const p = this.param(inner.name);
      if (p === "failed") return undefined;
      if (p && isNumeric(p.type.type) && !p.type.nullable) return { kind: "param", name: inner.name };
    }
    this.report.error("mustBeConstant", { what: this.report.text(e.span) }, { span: e.span, context, notes: ["expected: a duration or a non-nullable numeric parameter"] });
    return undefined;
  }

  private runningCondition(e: Expr): ProgramIR["runIf"] {
    const context = "in running condition";
    const node: TExpr | undefined = this.typer.typeExpr(e, { clause: "runIf", context });
    if (!node) return undefined;
    if (node.type.type.tag !== "bool") {
      this.report.error("typeMismatch", { what: "condition", expected: "of type bool" }, { span: e.span, context, notes: [`expected: bool, got: ${ntypeToString(node.type)}`] });
      return undefined;
    }
    return { expr: node, text: this.report.text(e.span).trim() };
  }
}

/** Checks a parsed program; throws a RamenError with every error found. */
export function checkProgramAst(ast: Program, report: Reporter, opts: ProgramCheckOptions): ProgramIR {
  return new ProgramChecker(ast, report, opts).check();
}

/** What children in other programs need of a checked program. */
export function schemaOfProgram(ir: ProgramIR): ProgramSchema {
  return {
    functions: ir.functions.map((f: FunctionIR) => ({
      name: f.name,
      output: f.output,
      ...(f.eventTime ? { eventTime: f.eventTime } : {}),
      factors: f.factors,
    })),
  };
}


