// Types expressions bottom-up (raql.md §2, §5, §6): resolves names per the
// clause rules, types calls with the typing rules of the stdlib registry,
// fixes flexible integer constants and untyped NULLs once their context is
// known, and propagates units. Produces typed expressions (ir.ts).
//
// A failed sub-expression yields `undefined`: its error is reported once, and
// everything built on it fails silently, so one mistake gives one message.

import type { Call, Case, Expr, FieldRef, Lifespan, NullHandling, CallOptions, Variable, VariableRef } from "../grammar/ast.js";
import type { MessageArgs, MessageKey } from "../grammar/diagnostics.js";
import type { Span } from "../grammar/source.js";
import { NType, T, Type, isSequence, ntypeEquals, ntypeToString } from "../grammar/types.js";
import { unitsEqual, unitsToString, type Units } from "../grammar/units.js";
import { canCast } from "../stdlib/cast.js";
import type { ArgInfo, FunctionEntry, TypingCall } from "../stdlib/entry.js";
import { acceptsArity, entriesOfWrittenName, entryOf, functionNames } from "../stdlib/registry.js";
import { canPromote, concretize, concretizeN, isConcrete, largest } from "../stdlib/typing.js";
import type { Value } from "../stdlib/values.js";
import { CLAUSES, ClauseKind } from "./clauses.js";
import { literalInExpr, widenConstant } from "./constants.js";
import { TCall, TExpr, TupleVariable, valueFromJson, valueToJson } from "./ir.js";
import { Reporter, didYouMean, listAlternatives, listNames } from "./report.js";
import { UnitArg, applyUnitRule } from "./units.js";

// ---- what the typer needs from its surroundings -------------------------------------

export interface FieldInfo {
  readonly type: NType;
  readonly units?: Units;
}

export interface OutputFieldInfo extends FieldInfo {
  readonly name: string;
  /** computed by a generator: unreadable through previous / global_last_out */
  readonly generated: boolean;
  /** its expression failed to type: references to it fail silently */
  readonly failed: boolean;
}

/** The function whose clauses are being typed. */
export interface FunctionScope {
  readonly name: string;
  /** `in.x` (also the sort variables' fields); reports unknown, private and mismatched fields itself */
  inputField(name: string, span: Span, context: string): FieldInfo | undefined;
  /** `in` as a whole record */
  inputRecord(span: Span, context: string): FieldInfo | undefined;
  /** output fields readable as `out.x`: those defined earlier (SELECT) or all of them */
  visibleOutput(mode: "earlier" | "all"): readonly OutputFieldInfo[];
  /** every output field, for `local_last_out` / `global_last_out` */
  lastOutput(): readonly OutputFieldInfo[];
  noteLastOutUse(variable: "local_last_out" | "global_last_out"): void;
  /** the lifespan of a stateful call written without one in that clause (§4.10) */
  defaultLifespan(clause: ClauseKind): "locally" | "globally";
  /** no grouping and a commit at every input: a LOCALLY state is useless there */
  readonly commitsEveryTuple: boolean;
}

/**
 * Parameters and global variables of the program; lookups mark them used.
 * "failed" names a parameter whose declaration was wrong (already reported).
 */
export interface ProgramScope {
  param(name: string): FieldInfo | "failed" | undefined;
  paramNames(): readonly string[];
  global(name: string): FieldInfo | undefined;
  globalNames(): readonly string[];
}

export interface Scope {
  readonly clause: ClauseKind;
  /** "in function f, WHERE clause" */
  readonly context: string;
  readonly fn?: FunctionScope;
  /** set when a generator is typed (SELECT fields only) */
  readonly flags?: { generator: boolean };
}

// ---- internals ------------------------------------------------------------------------

/** Thrown by TypingCall.fail, caught where the call is typed. */
class TypingFailure {
  constructor(
    readonly at: number | "call",
    readonly key: MessageKey,
    readonly args: MessageArgs,
    readonly notes: readonly string[] | undefined,
  ) {}
}

interface CallInfo {
  readonly entry: FunctionEntry;
  readonly lifespan?: Lifespan;
  readonly nulls?: NullHandling;
  readonly options?: CallOptions;
  readonly effectiveLifespan?: Lifespan;
  readonly scope: Scope;
}

/**
 * Stateful functions whose time argument defaults to `#start` (§6.8): the
 * argument's position, and for TOP the argument that must be present (FOR d).
 */
const IMPLICIT_TIME_ARGS: Readonly<Record<string, { readonly index: number; readonly onlyWith?: number }>> = {
  derive: { index: 1 },
  remember: { index: 3 },
  recall: { index: 3 },
  past: { index: 2 },
  every: { index: 2 },
  top: { index: 4, onlyWith: 5 },
};

const TUPLE_VARIABLES = new Set<Variable>(["in", "out", "local_last_out", "global_last_out", "group_state", "sort_first", "sort_smallest", "sort_greatest"]);

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : n % 10 === 1 ? "st" : n % 10 === 2 ? "nd" : n % 10 === 3 ? "rd" : "th";
  return n + suffix;
}

const describe = ntypeToString;

export function isConstantNode(e: TExpr): boolean {
  switch (e.kind) {
    case "const":
    case "param":
      return true;
    case "vector":
    case "tuple":
      return e.items.every(isConstantNode);
    case "record":
      return e.fields.every((f) => isConstantNode(f.value));
    case "convert":
      return isConstantNode(e.expr);
    default:
      return false;
  }
}

/** The value of a constant expression known at compile time (not parameters). */
export function constValueOf(e: TExpr): Value | undefined {
  switch (e.kind) {
    case "const":
      return valueFromJson(e.value, e.type.type);
    case "vector":
    case "tuple": {
      const items = e.items.map(constValueOf);
      return items.every((v) => v !== undefined) ? (items as Value[]) : undefined;
    }
    case "record": {
      const items = e.fields.map((f) => constValueOf(f.value));
      return items.every((v) => v !== undefined) ? (items as Value[]) : undefined;
    }
    case "convert": {
      const v = constValueOf(e.expr);
      return v === undefined ? undefined : widenConstant(v, e.expr.type.type, e.type);
    }
    default:
      return undefined;
  }
}

// ---- the typer -------------------------------------------------------------------------

export class ExprTyper {
  private readonly recordFrames: { id: number; fields: { name: string; node: TExpr | undefined }[] }[] = [];
  private nextRecordId = 0;
  private readonly callInfos = new WeakMap<TCall, CallInfo>();
  /** while re-typing a call for a fixed type, its warnings were already given */
  private quiet = false;

  constructor(
    private readonly report: Reporter,
    private readonly program: ProgramScope,
  ) {}

  /** Types a whole clause expression; its type (and every sub-expression's) is made concrete. */
  typeExpr(e: Expr, scope: Scope): TExpr | undefined {
    const t = this.type(e, scope);
    return t && this.concretizeNode(t);
  }

  concretizeNode(t: TExpr): TExpr {
    return isConcrete(t.type.type) ? t : this.retype(t, concretizeN(t.type));
  }

  private error(key: MessageKey, args: MessageArgs, span: Span, scope: Scope, notes?: readonly string[], hint?: string): undefined {
    this.report.error(key, args, { span, context: scope.context, ...(notes ? { notes } : {}), ...(hint ? { hint } : {}) });
    return undefined;
  }

  private warn(key: MessageKey, args: MessageArgs, span: Span, scope: Scope): void {
    if (!this.quiet) this.report.warn(key, args, { span, context: scope.context });
  }

  private type(e: Expr, scope: Scope): TExpr | undefined {
    switch (e.kind) {
      case "literal": {
        const c = literalInExpr(e.value, e.nullable);
        return { kind: "const", value: valueToJson(c.value), type: c.type, ...(c.units ? { units: c.units } : {}), span: e.span };
      }
      case "units": {
        const inner = this.type(e.expr, scope);
        return inner && { ...inner, units: e.units };
      }
      case "vector":
        return this.typeVector(e.items, e.span, scope);
      case "tuple": {
        const items = e.items.map((i) => this.type(i, scope));
        if (!allDefined(items)) return undefined;
        return { kind: "tuple", items, type: { type: T.tuple(items.map((i) => i.type)), nullable: false }, span: e.span };
      }
      case "record":
        return this.typeRecord(e.fields, e.span, scope);
      case "field":
        return this.typeField(e, scope);
      case "variable":
        return this.typeWhole(e, scope);
      case "call":
        return this.typeCall(e, scope);
      case "case":
        return this.typeCase(e, scope);
      case "cast": {
        const inner = this.type(e.expr, scope);
        if (!inner) return undefined;
        // NULL takes the cast's type; other inference-only types their narrowest one.
        const operand = inner.type.type.tag === "unknown" ? this.retype(inner, { type: e.to.type, nullable: true }) : this.concretizeNode(inner);
        if (!canCast(operand.type, e.to)) {
          return this.error("cannotCast", { what: this.report.text(e.expr.span), from: describe(operand.type), to: describe(e.to) }, e.expr.span, scope);
        }
        return {
          kind: "cast",
          expr: operand,
          type: { type: e.to.type, nullable: e.to.nullable || operand.type.nullable },
          ...(operand.units ? { units: operand.units } : {}),
          span: e.span,
        };
      }
    }
  }

  // ---- composite literals ----

  private typeVector(exprs: readonly Expr[], span: Span, scope: Scope): TExpr | undefined {
    const typed = exprs.map((i) => this.type(i, scope));
    if (!allDefined(typed)) return undefined;
    if (typed.length === 0) {
      return { kind: "vector", items: [], type: { type: T.list({ type: { tag: "unknown" }, nullable: false }), nullable: false }, span };
    }
    // Inside a vector literal, integer constants keep their parsed width (§2.4).
    const items = typed.map((i) => (i.type.type.tag === "flexint" ? this.concretizeNode(i) : i));
    let common: Type = items[0]!.type.type;
    for (let i = 1; i < items.length; i++) {
      const next = largest(common, items[i]!.type.type);
      if (next === undefined) {
        return this.error("vectorItems", {}, items[i]!.span, scope, [`got: ${describe(items[0]!.type)} and ${describe(items[i]!.type)}`]);
      }
      common = next;
    }
    const nullable = items[0]!.type.nullable;
    const odd = items.find((i) => i.type.nullable !== nullable && i.type.type.tag !== "unknown");
    if (odd) return this.error("mixedVectorNullability", {}, odd.span, scope);
    const itemNullable = items.some((i) => i.type.nullable);
    const converted = isConcrete(common) ? items.map((i) => this.retype(i, { type: common, nullable: i.type.nullable })) : items;
    return {
      kind: "vector",
      items: converted,
      type: { type: T.vector(items.length, { type: common, nullable: itemNullable }), nullable: false },
      ...(items[0]!.units ? { units: items[0]!.units } : {}),
      span,
    };
  }

  private typeRecord(fields: readonly { name: string; value: Expr; span: Span }[], span: Span, scope: Scope): TExpr | undefined {
    const frame = { id: this.nextRecordId++, fields: [] as { name: string; node: TExpr | undefined }[] };
    this.recordFrames.push(frame);
    try {
      for (const f of fields) frame.fields.push({ name: f.name, node: this.type(f.value, scope) });
    } finally {
      this.recordFrames.pop();
    }
    const nodes = frame.fields.map((f) => f.node);
    if (!allDefined(nodes)) return undefined;
    const named = fields.map((f, i) => ({ name: f.name, value: nodes[i]! }));
    return {
      kind: "record",
      id: frame.id,
      fields: named,
      type: { type: T.record(named.map((f) => ({ name: f.name, type: f.value.type }))), nullable: false },
      span,
    };
  }

  // ---- names ----

  private typeField(ref: FieldRef, scope: Scope): TExpr | undefined {
    const { name, span } = ref;
    if (ref.variable !== undefined) return this.variableField(ref.variable, name, span, scope, false);
    // Bare names, in the order of §4.12.
    for (let i = this.recordFrames.length - 1; i >= 0; i--) {
      const frame = this.recordFrames[i]!;
      const index = frame.fields.findIndex((f) => f.name === name);
      if (index >= 0) {
        const node = frame.fields[index]!.node;
        return node && { kind: "record_field", record: frame.id, name, index, type: node.type, ...(node.units ? { units: node.units } : {}), span };
      }
    }
    const param = this.program.param(name);
    if (param === "failed") return undefined;
    if (param) return { kind: "param", name, ...param, span };
    const global = this.program.global(name);
    if (global) return { kind: "global", name, ...global, span };
    const rules = CLAUSES[scope.clause];
    if (rules.bareOutput !== "none" && scope.fn) {
      const out = scope.fn.visibleOutput(rules.bareOutput).find((f) => f.name === name);
      if (out) return out.failed ? undefined : this.outField("out", name, out, span);
    }
    if (rules.bareFallback === "env") return { kind: "env", name, type: { type: T.string, nullable: true }, span };
    return this.variableField("in", name, span, scope, true);
  }

  private outField(variable: TupleVariable, name: string, f: FieldInfo, span: Span): TExpr {
    return { kind: "field", variable, name, index: -1, type: f.type, ...(f.units ? { units: f.units } : {}), span };
  }

  /** Checks that `variable` may be used in this clause; reports it otherwise. */
  private variableAllowed(variable: Variable, name: string | undefined, span: Span, scope: Scope, bare: boolean): boolean {
    const rules = CLAUSES[scope.clause];
    if (rules.variables.includes(variable)) return true;
    if (scope.clause === "runIf" && TUPLE_VARIABLES.has(variable)) {
      this.error("runIfUsesTuple", { variable }, span, scope);
      return false;
    }
    const notes = name === undefined ? undefined : [`while resolving field ${name}`];
    const hint = bare ? `${name} is neither a parameter nor a global variable` : undefined;
    this.error("variableNotAllowed", { variable, clause: rules.label, allowed: rules.variables.join(", ") }, span, scope, notes, hint);
    return false;
  }

  private variableField(variable: Variable, name: string, span: Span, scope: Scope, bare: boolean): TExpr | undefined {
    if (!this.variableAllowed(variable, name, span, scope, bare)) return undefined;
    const fn = scope.fn;
    switch (variable) {
      case "param": {
        const p = this.program.param(name);
        if (p === "failed") return undefined;
        if (p) return { kind: "param", name, ...p, span };
        const names = this.program.paramNames();
        return this.error("unknownField", { field: name, detail: ` (parameters: ${listNames(names)})` }, span, scope, undefined, didYouMean(name, names));
      }
      case "global": {
        const g = this.program.global(name);
        if (g) return { kind: "global", name, ...g, span };
        const names = this.program.globalNames();
        return this.error("unknownField", { field: name, detail: ` (global variables: ${listNames(names)})` }, span, scope, undefined, didYouMean(name, names));
      }
      case "env":
        return { kind: "env", name, type: { type: T.string, nullable: true }, span };
      case "in":
      case "sort_first":
      case "sort_smallest":
      case "sort_greatest": {
        if (variable !== "in" && name === "#count") return this.outField(variable, name, { type: { type: T.u32, nullable: false } }, span);
        if (!fn) return this.error("variableNotAllowed", { variable, clause: CLAUSES[scope.clause].label, allowed: "" }, span, scope);
        const f = fn.inputField(name, span, scope.context);
        return f && this.outField(variable, name, f, span);
      }
      case "out": {
        if (!fn) return undefined;
        const mode = CLAUSES[scope.clause].bareOutput === "earlier" ? "earlier" : "all";
        const visible = fn.visibleOutput(mode);
        const f = visible.find((x) => x.name === name);
        if (!f) {
          const names = visible.map((x) => x.name);
          return this.error("fieldNotInOutput", { field: name, available: listNames(names) }, span, scope, undefined, didYouMean(name, names));
        }
        return f.failed ? undefined : this.outField("out", name, f, span);
      }
      case "local_last_out":
      case "global_last_out": {
        if (!fn) return undefined;
        const all = fn.lastOutput();
        const f = all.find((x) => x.name === name);
        if (!f) {
          const names = all.map((x) => x.name);
          return this.error("fieldNotInOutput", { field: name, available: listNames(names) }, span, scope, undefined, didYouMean(name, names));
        }
        if (f.generated) return this.error("generatedFieldReused", { field: name }, span, scope);
        fn.noteLastOutUse(variable);
        if (f.failed) return undefined;
        return this.outField(variable, name, { type: { type: f.type.type, nullable: true }, ...(f.units ? { units: f.units } : {}) }, span);
      }
      case "group_state":
        if (name === "#count") return this.outField("group_state", name, { type: { type: T.u32, nullable: false } }, span);
        return this.error("groupStateField", { field: name }, span, scope);
      case "global_state":
      case "record":
        return this.error("notSupported", { what: `variable ${variable}` }, span, scope);
    }
  }

  private typeWhole(ref: VariableRef, scope: Scope): TExpr | undefined {
    const { variable, span } = ref;
    if (!this.variableAllowed(variable, undefined, span, scope, false)) return undefined;
    const fn = scope.fn;
    const whole = (v: TupleVariable, type: NType): TExpr => ({ kind: "whole", variable: v, type, span });
    const recordOf = (fields: readonly OutputFieldInfo[], nullable: boolean): NType | undefined =>
      fields.some((f) => f.failed) ? undefined : { type: T.record(fields.map((f) => ({ name: f.name, type: f.type }))), nullable };
    switch (variable) {
      case "in": {
        const r = fn?.inputRecord(span, scope.context);
        return r && whole("in", r.type);
      }
      case "out": {
        const r = fn && recordOf(fn.visibleOutput(CLAUSES[scope.clause].bareOutput === "earlier" ? "earlier" : "all"), false);
        return r && whole("out", r);
      }
      case "local_last_out":
      case "global_last_out": {
        if (!fn) return undefined;
        fn.noteLastOutUse(variable);
        const r = recordOf(fn.lastOutput(), true);
        return r && whole(variable, r);
      }
      default:
        return this.error("notSupported", { what: `using variable ${variable} as a value` }, span, scope);
    }
  }

  // ---- CASE ----

  private typeCase(e: Case, scope: Scope): TExpr | undefined {
    const whens = e.branches.map((b) => this.type(b.when, scope));
    const thens = e.branches.map((b) => this.type(b.then, scope));
    const otherwise = e.else && this.type(e.else, scope);
    if (!allDefined(whens) || !allDefined(thens) || (e.else && !otherwise)) return undefined;
    let failed = false;
    const conditions = whens.map((w, i) => {
      if (w.type.type.tag === "unknown") return this.retype(w, { type: T.bool, nullable: true });
      if (w.type.type.tag !== "bool") {
        failed = true;
        this.error("caseCondition", { nth: ordinal(i + 1) }, w.span, scope, [`expected: bool, got: ${describe(w.type)}`]);
      }
      return w;
    });
    if (failed) return undefined;
    const values = otherwise ? [...thens, otherwise] : thens;
    let result: Type = values[0]!.type.type;
    for (let i = 1; i < values.length; i++) {
      const next = largest(result, values[i]!.type.type);
      if (next === undefined) {
        const isElse = otherwise !== undefined && i === values.length - 1;
        return this.error(isElse ? "caseElse" : "caseConsequent", {}, values[i]!.span, scope, [
          `expected: a type compatible with ${describe({ type: result, nullable: false })}, got: ${describe(values[i]!.type)}`,
        ]);
      }
      result = next;
    }
    const units = this.commonUnits(values, "comparing", scope);
    const fix = (x: TExpr) => (isConcrete(result) ? this.retype(x, { type: result, nullable: x.type.nullable }) : x);
    const nullable = !otherwise || conditions.some((c) => c.type.nullable) || values.some((v) => v.type.nullable);
    return {
      kind: "case",
      branches: conditions.map((when, i) => ({ when, then: fix(thens[i]!) })),
      ...(otherwise ? { else: fix(otherwise) } : {}),
      type: { type: result, nullable },
      ...(units ? { units } : {}),
      span: e.span,
    };
  }

  /** Units shared by alternatives (CASE branches); warns when two known ones differ. */
  private commonUnits(values: readonly TExpr[], what: string, scope: Scope): Units | undefined {
    let result: Units | undefined;
    for (const v of values) {
      if (v.units === undefined) continue;
      if (result === undefined) result = v.units;
      else if (!unitsEqual(result, v.units)) this.warn("unitMismatch", { detail: `${what} ${unitsToString(result)} and ${unitsToString(v.units)}` }, v.span, scope);
    }
    return result;
  }

  // ---- calls ----

  private typeCall(original: Call, scope: Scope): TExpr | undefined {
    let call = original;
    if (call.fn === "changed" && call.args.length === 1) {
      const desugared = this.desugarChanged(call, scope);
      if (!desugared) return undefined;
      call = desugared;
    }
    // `x IN [v]` is `x = v` (§5.3).
    const list = call.args[1];
    if (call.fn === "in" && list?.kind === "vector" && list.items.length === 1) call = { ...call, fn: "eq", args: [call.args[0]!, list.items[0]!] };

    const entry = entryOf(call.fn);
    if (!entry || !hasOperandCount(entry, call.args.length)) {
      // Type the arguments anyway: their own errors are independent.
      for (const a of call.args) if (a) this.type(a, scope);
      return this.unknownCall(call, scope);
    }
    call = withImplicitTime(call);
    const args = call.args.map((a) => (a === null ? null : this.type(a, scope)));
    if (args.some((a) => a === undefined)) return undefined;
    const typedArgs = args as (TExpr | null)[];
    const nameSpan = call.nameSpan ?? call.span;
    const rules = CLAUSES[scope.clause];

    if (entry.state === "gen") {
      if (!scope.flags) return this.error("generatorPlacement", { name: entry.name.toUpperCase() }, nameSpan, scope);
      scope.flags.generator = true;
    }
    let effectiveLifespan: Lifespan | undefined;
    if (entry.state === "agg" || entry.state === "seq") {
      if (!rules.statefulAllowed) return this.error("statefulNotAllowed", { clause: rules.label }, nameSpan, scope);
      if (call.lifespan === "immediately" && entry.state === "seq") {
        return this.error("notSupported", { what: `IMMEDIATELY with ${entry.name.toUpperCase()}` }, nameSpan, scope);
      }
      const operand = typedArgs[0];
      effectiveLifespan =
        call.lifespan ??
        (entry.state === "agg" && operand && isSequence(operand.type.type) ? "immediately" : (scope.fn?.defaultLifespan(scope.clause) ?? "globally"));
      if (call.lifespan === "locally" && scope.fn?.commitsEveryTuple) {
        this.warn("locallyWithoutAggregation", { name: entry.name.toUpperCase() }, nameSpan, scope);
      }
    }
    const info: CallInfo = {
      entry,
      ...(call.lifespan ? { lifespan: call.lifespan } : {}),
      ...(call.nulls ? { nulls: call.nulls } : {}),
      ...(call.options ? { options: call.options } : {}),
      ...(effectiveLifespan ? { effectiveLifespan } : {}),
      scope,
    };
    return this.applyTyping(info, typedArgs, call.span);
  }

  private unknownCall(call: Call, scope: Scope): undefined {
    const span = call.nameSpan ?? call.span;
    const candidates = entriesOfWrittenName(call.fn);
    if (candidates.length > 0) {
      const arities = new Set<number>();
      let variadicFrom: number | undefined;
      for (const c of candidates) {
        if (c.syntax.kind !== "function") continue;
        for (const a of c.syntax.arities) arities.add(a);
        if (c.syntax.variadic) variadicFrom = Math.min(variadicFrom ?? Infinity, Math.max(...c.syntax.arities));
      }
      const sorted = [...arities].filter((a) => variadicFrom === undefined || a < variadicFrom).sort((a, b) => a - b);
      const expected = listAlternatives([...sorted, ...(variadicFrom === undefined ? [] : [`${variadicFrom} or more`])]);
      return this.error("wrongArity", { name: call.fn.toUpperCase(), expected, got: call.args.length }, span, scope);
    }
    return this.error("unknownFunction", { name: call.fn }, span, scope, undefined, didYouMean(call.fn, functionNames()));
  }

  /**
   * `CHANGED x` is `x <> previous.x` for x a field of the output (§4.12): the
   * call gets `out.x` and `local_last_out.x` as its two arguments.
   */
  private desugarChanged(call: Call, scope: Scope): Call | undefined {
    const x = call.args[0];
    const fn = scope.fn;
    const mode = CLAUSES[scope.clause].bareOutput;
    const isOutputField =
      x?.kind === "field" &&
      (x.variable === undefined || x.variable === "out") &&
      fn !== undefined &&
      mode !== "none" &&
      fn.visibleOutput(mode).some((f) => f.name === x.name);
    if (!isOutputField) return this.error("changedNotOutputField", {}, x?.span ?? call.span, scope);
    const ref = x as FieldRef;
    return {
      kind: "call",
      fn: "changed",
      args: [
        { kind: "field", variable: "out", name: ref.name, span: ref.span },
        { kind: "field", variable: "local_last_out", name: ref.name, span: ref.span },
      ],
      span: call.span,
      ...(call.nameSpan ? { nameSpan: call.nameSpan } : {}),
    };
  }

  private argInfo(a: TExpr): ArgInfo {
    const constValue = constValueOf(a);
    return {
      type: a.type,
      ...(a.units ? { units: a.units } : {}),
      isConstant: isConstantNode(a),
      ...(constValue !== undefined ? { constValue } : {}),
      span: a.span,
      text: this.report.text(a.span),
    };
  }

  /** Runs the entry's typing rule on typed arguments and builds the call node. */
  private applyTyping(info: CallInfo, args: readonly (TExpr | null)[], span: Span): TExpr | undefined {
    const { entry, scope } = info;
    const conversions: (NType | undefined)[] = [];
    const spanAt = (at: number | "call"): Span => (at === "call" ? span : (args[at]?.span ?? span));
    const tc: TypingCall = {
      fn: entry.name,
      args: args.map((a) => a && this.argInfo(a)),
      ...(info.lifespan ? { lifespan: info.lifespan } : {}),
      ...(info.nulls ? { nulls: info.nulls } : {}),
      ...(info.options ? { options: info.options } : {}),
      ...(info.effectiveLifespan ? { effectiveLifespan: info.effectiveLifespan } : {}),
      fail(at, key, margs, notes): never {
        throw new TypingFailure(at, key, margs ?? {}, notes);
      },
      warn: (at, key, margs) => this.warn(key, margs ?? {}, spanAt(at), scope),
      convert(i, to) {
        conversions[i] = to;
      },
    };
    let result: ReturnType<FunctionEntry["typing"]>;
    try {
      result = entry.typing(tc);
    } catch (err) {
      if (!(err instanceof TypingFailure)) throw err;
      return this.error(err.key, err.args, spanAt(err.at), scope, err.notes);
    }
    const type: NType = "nullable" in result ? result : result.type;
    const ruleUnits = "nullable" in result ? undefined : result.units;

    // Once the result type is fixed, constants and NULLs among the arguments take theirs (§2.4).
    const resultConcrete = isConcrete(type.type);
    const fixed = args.map((a, i) => {
      if (!a) return a;
      let target = conversions[i];
      if (target && !isConcrete(target.type)) target = resultConcrete ? concretizeN(target) : undefined;
      if (!target && resultConcrete && !isConcrete(a.type.type)) target = concretizeN(a.type);
      return target ? this.retype(a, target) : a;
    });

    const unitArgs: (UnitArg | null)[] = fixed.map((a) => {
      if (!a) return null;
      const v = constValueOf(a);
      const numeric = typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : undefined;
      return { ...(a.units ? { units: a.units } : {}), isConstant: isConstantNode(a), ...(numeric !== undefined ? { numeric } : {}) };
    });
    const units =
      ruleUnits ??
      applyUnitRule(
        entry.units,
        entry.name,
        unitArgs,
        (detail, at) => this.warn("unitMismatch", { detail }, spanAt(at), scope),
        (at) => this.warn("dimensionedOperand", { name: entry.name.toUpperCase() }, spanAt(at), scope),
      );

    const stateful = entry.state === "agg" || entry.state === "seq";
    const nulls = info.nulls ?? "skip";
    const node: TCall = {
      kind: "call",
      fn: entry.name,
      args: fixed,
      ...(info.options ? { options: info.options } : {}),
      ...(stateful
        ? {
            state:
              info.effectiveLifespan === "immediately"
                ? { lifespan: "immediately" as const, nulls }
                : { lifespan: info.effectiveLifespan === "locally" ? ("locally" as const) : ("globally" as const), slot: -1, nulls },
          }
        : {}),
      ...(entry.state === "gen" ? { generator: true as const } : {}),
      type,
      // A boolean carries no units, whatever its operands had.
      ...(units && type.type.tag !== "bool" ? { units } : {}),
      span,
    };
    this.callInfos.set(node, info);
    return node;
  }

  // ---- fixing inference-only types ----

  /**
   * Gives `node` the type `to` (concrete): constants and NULLs take it
   * directly, composites and calls pass it to their parts, and anything
   * already concrete gets an implicit conversion.
   */
  retype(node: TExpr, to: NType): TExpr {
    if (ntypeEquals(node.type, to)) return node;
    const from = node.type.type;
    const nullable = node.type.nullable || to.nullable;
    if (node.kind === "const") {
      const value = node.value === null ? null : widenConstant(valueFromJson(node.value, from), from, { type: to.type, nullable: true });
      if (value !== undefined) return { ...node, value: valueToJson(value), type: { type: to.type, nullable } };
      // A constant that does not fit `to` keeps its own type and is converted like any value.
      if (!isConcrete(from)) return this.retype(this.retype(node, concretizeN(node.type)), to);
    }
    if (!isConcrete(from)) {
      switch (node.kind) {
        case "vector": {
          const t = to.type;
          if (t.tag !== "vector" && t.tag !== "list") break;
          const items = node.items.map((i) => this.retype(i, { type: t.item.type, nullable: i.type.nullable }));
          return { ...node, items, type: { type: t, nullable } };
        }
        case "tuple": {
          const t = to.type;
          if (t.tag !== "tuple") break;
          const items = node.items.map((i, k) => this.retype(i, { type: t.items[k]!.type, nullable: i.type.nullable }));
          return { ...node, items, type: { type: t, nullable } };
        }
        case "record": {
          const t = to.type;
          if (t.tag !== "record") break;
          const fields = node.fields.map((f) => {
            const target = t.fields.find((g) => g.name === f.name)!;
            return { name: f.name, value: this.retype(f.value, { type: target.type.type, nullable: f.value.type.nullable }) };
          });
          return { ...node, fields, type: { type: t, nullable } };
        }
        case "case": {
          const fix = (x: TExpr) => this.retype(x, { type: to.type, nullable: x.type.nullable });
          return {
            ...node,
            branches: node.branches.map((b) => ({ when: b.when, then: fix(b.then) })),
            ...(node.else ? { else: fix(node.else) } : {}),
            type: { type: to.type, nullable },
          };
        }
        case "call": {
          const retyped = this.retypeCall(node, to.type);
          if (isConcrete(retyped.type.type)) return this.retype(retyped, to);
          break;
        }
        default:
          break;
      }
    }
    // A leaf of a type not inferred yet: only `previous.x` while SELECT is typed for the first time.
    if (!isConcrete(from)) return { ...node, type: { type: to.type, nullable } };
    return { kind: "convert", expr: node, type: { type: to.type, nullable }, ...(node.units ? { units: node.units } : {}), span: node.span };
  }

  /** Re-types a call whose result was left flexible, now that its type is `to`. */
  private retypeCall(node: TCall, to: Type): TExpr {
    const info = this.callInfos.get(node);
    if (!info) return node;
    const args = node.args.map((a) => {
      if (!a || isConcrete(a.type.type)) return a;
      const target = canPromote(a.type.type, to) && isConcrete(to) ? to : concretize(a.type.type);
      return this.retype(a, { type: target, nullable: a.type.nullable });
    });
    const wasQuiet = this.quiet;
    this.quiet = true;
    try {
      return this.applyTyping(info, args, node.span) ?? node;
    } finally {
      this.quiet = wasQuiet;
    }
  }
}

function allDefined<X>(xs: readonly (X | undefined)[]): xs is X[] {
  return xs.every((x) => x !== undefined);
}

/** Fills the `#start` default of time arguments (§6.8) so that the IR is explicit. */
function withImplicitTime(call: Call): Call {
  const rule = IMPLICIT_TIME_ARGS[call.fn];
  if (!rule) return call;
  if (rule.onlyWith !== undefined && !call.args[rule.onlyWith]) return call;
  if (call.args[rule.index]) return call;
  const args = [...call.args];
  while (args.length <= rule.index) args.push(null);
  args[rule.index] = { kind: "call", fn: "event_start", args: [], span: call.span };
  return { ...call, args };
}

/**
 * Whether a call has as many arguments as its entry's syntax takes. A written
 * name may be the canonical name of an operator (`n mod 256` calls `mod` with
 * one argument): such a call is not the operator.
 */
function hasOperandCount(entry: FunctionEntry, count: number): boolean {
  switch (entry.syntax.kind) {
    case "function":
      return acceptsArity(entry, count);
    case "infix":
      return count === 2;
    case "prefix":
    case "postfix":
      return count === 1;
    case "nullary":
      return count === 0;
    case "keyword":
      // only built by the keyword's own grammar rule, which fills every position
      return true;
  }
}
