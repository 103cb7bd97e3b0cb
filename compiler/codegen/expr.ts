// Code generation of typed expressions (compiler/ir.ts TExpr) into JavaScript:
// the part every clause of a worker function uses. An expression becomes a
// list of statements plus an atomic expression of its value, in the value
// representation of stdlib/values.ts with NULL as `null`:
//
// * non-nullable sub-expressions are plain JS with no NULL test, using the
//   registry entries' `inline` templates where they give one;
// * nullable arguments of an entry without `passNulls` are tested once and
//   the operation runs only when none is NULL (default propagation);
// * entries without a template are called through `impl.apply` with an
//   ImplCall built once per call site and hoisted to module level, as is
//   every composite constant;
// * casts call stdlib/cast.ts castValue, whose CastFailure propagates to the
//   caller (the loop code skips the tuple);
// * stateful calls read `env.state(call)` (the loop code updates states),
//   except IMMEDIATELY aggregates which fold their list operand here;
//   generators (SPLIT) are expanded by the loop code, never here.
//
// Generated code refers to module-level names: the hoisted declarations, the
// run-time hooks named by `env.runtime`, and the imports of EXPR_IMPORTS.

import { ntypeEquals, type NType, type Type } from "../../grammar/types.js";
import { castValue } from "../../stdlib/cast.js";
import { inlineWrap } from "../../stdlib/ints.js";
import type { FunctionEntry, ImplCall } from "../../stdlib/entry.js";
import { entryOf } from "../../stdlib/registry.js";
import type { Cidr, Value } from "../../stdlib/values.js";
import { valueFromJson, type TCall, type TCase, type TExpr, type TRecord, type TupleVariable } from "../ir.js";

/** Module-level names generated code uses, with the module (relative to the repository root) exporting each. */
export const EXPR_IMPORTS = { entryOf: "stdlib/registry.js", castValue: "stdlib/cast.js" } as const;

/** Hands out identifiers unique within one generated module. */
export class IdentifierPool {
  private next = 0;

  fresh(hint: string): string {
    return `${hint}_${this.next++}`;
  }
}

/** The run-time hooks of ImplCall (raql.md §6.1, §6.11) that a worker provides. */
export type RuntimeHook = "now" | "eventStart" | "eventStop" | "random" | "print";

/** How the leaves of an expression read at run time: JS expressions chosen by the loop code. */
export interface ExprEnv {
  readonly ids: IdentifierPool;
  /** A field of a tuple variable, e.g. `(v3[i] ? c3[i] : null)`; must be free of side effects. */
  field(variable: TupleVariable, index: number, type: NType, name: string): string;
  /** A whole tuple variable as a record value. */
  whole(variable: TupleVariable): string;
  param(name: string, type: NType): string;
  /** An environment variable of the worker (a `string?`). */
  envVar(name: string): string;
  global(name: string, type: NType): string;
  /** The current value of a LOCALLY or GLOBALLY stateful call. */
  state(call: TCall): string;
  /**
   * Module-level JS expressions of the hooks the worker provides (a function
   * each); absent ones are left out of ImplCalls. `print` receives an array
   * that is reused: it must not keep it.
   */
  readonly runtime: Partial<Record<RuntimeHook, string>>;
  /**
   * The current item of a generator call (SPLIT), when the loop code expands
   * generators around this expression; without it generators are an error.
   */
  generatorItem?(call: TCall): string;
}

export interface GeneratedExpr {
  /** Statements to run first, one per line (empty when none is needed). */
  readonly statements: readonly string[];
  /** An atomic JS expression of the value, valid after the statements. */
  readonly value: string;
  /** Module-level declarations (`const name = …;`) the statements and value use, to define once. */
  readonly hoisted: readonly string[];
}

/** Generates the code computing `e`; throws for generators, which the loop code expands. */
export function generateExpr(e: TExpr, env: ExprEnv): GeneratedExpr {
  const gen = new Generator(env);
  const value = gen.expr(e);
  return { statements: gen.lines, value: value.code, hoisted: gen.hoisted };
}

/** The body of a function returning the value of a generated expression. */
export function functionBody(g: GeneratedExpr): string {
  return [...g.statements, `return ${g.value};`].join("\n");
}

// ---- JS literals ----------------------------------------------------------------------------

/** The JS source of a string of bytes (char codes 0–255), ASCII only. */
export function stringLiteral(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u00ff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

function numberLiteral(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "Infinity";
  if (n === -Infinity) return "(-Infinity)";
  if (Object.is(n, -0)) return "(-0)";
  return n < 0 ? `(${n})` : String(n);
}

/** Whether a value is written as a JS literal that may be repeated freely (no allocation). */
function isScalarValue(v: Value | undefined): boolean {
  return v === undefined || v === null || typeof v !== "object";
}

/** The JS source of a value; composites allocate, so callers hoist them. */
export function valueLiteral(v: Value | undefined): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return String(v);
    case "number":
      return numberLiteral(v);
    case "bigint":
      return v < 0n ? `(${v}n)` : `${v}n`;
    case "string":
      return stringLiteral(v);
  }
  if (Array.isArray(v)) return `[${(v as readonly Value[]).map(valueLiteral).join(", ")}]`;
  if (v instanceof Map) return `new Map([${[...v].map(([k, x]) => `[${valueLiteral(k)}, ${valueLiteral(x)}]`).join(", ")}])`;
  const c = v as Cidr;
  return `{ ip: ${valueLiteral(c.ip)}, len: ${c.len} }`;
}

/** The JS source of plain JSON data (types, options). */
export function dataLiteral(x: unknown): string {
  return x === undefined ? "undefined" : JSON.stringify(x);
}

/** An identifier, possibly followed by property reads and indexes (`row[3]`, `a.b`): binds tightest. */
const ACCESS_CHAIN = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[[\w$]+\])*$/;
const SIMPLE_LITERAL = /^(?:\d[\w.]*|true|false|null|undefined|NaN|Infinity|"(?:[^"\\]|\\.)*"|\(-[\w.]+\))$/;

/** Whether `code` is fully enclosed in one pair of parentheses (conservative: false when unsure). */
function isParenthesized(code: string): boolean {
  if (!code.startsWith("(") || !code.endsWith(")")) return false;
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '"') {
      // Skips a double-quoted literal (as written by stringLiteral).
      for (i++; i < code.length && code[i] !== '"'; i++) if (code[i] === "\\") i++;
      continue;
    }
    if (c === "\\") {
      i++; // an escaped character (in a regular expression literal) is no parenthesis
      continue;
    }
    if (c === "'" || c === "`") return false;
    if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i === code.length - 1;
  }
  return false;
}

/** The callee of a call expression (`Math.abs(…)`, `BigInt(…)`), up to its argument list. */
const CALLEE = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*(?=\()/;

/** `code` made safe to splice next to any operator. */
function atomic(code: string): string {
  if (ACCESS_CHAIN.test(code) || SIMPLE_LITERAL.test(code) || isParenthesized(code)) return code;
  const callee = CALLEE.exec(code);
  return callee && isParenthesized(code.slice(callee[0].length)) ? code : `(${code})`;
}

// ---- the generator --------------------------------------------------------------------------------

/** A generated value: `code` is atomic; `repeatable` when evaluating it again costs nothing and changes nothing. */
interface Operand {
  readonly code: string;
  readonly repeatable: boolean;
}

const PLACEHOLDER = (i: number) => `\u0001${i}\u0001`;

class Generator {
  readonly lines: string[] = [];
  readonly hoisted: string[] = [];
  private indent = "";
  /** Values of the fields of the record literals being generated, by record id. */
  private readonly recordFields = new Map<number, { readonly value: Operand; readonly type: NType }[]>();

  constructor(private readonly env: ExprEnv) {}

  private emit(line: string): void {
    this.lines.push(this.indent + line);
  }

  /** Runs `body` with its lines indented one level (inside a block the caller opened). */
  private nested(body: () => void): void {
    const saved = this.indent;
    this.indent += "  ";
    body();
    this.indent = saved;
  }

  private hoist(hint: string, init: string): string {
    const name = this.env.ids.fresh(hint);
    this.hoisted.push(`const ${name} = ${init};`);
    return name;
  }

  /** Binds `code` to a fresh local unless it is already repeatable. */
  private bind(op: Operand, hint: string): Operand {
    if (op.repeatable) return op;
    const name = this.env.ids.fresh(hint);
    this.emit(`const ${name} = ${op.code};`);
    return { code: name, repeatable: true };
  }

  expr(e: TExpr): Operand {
    switch (e.kind) {
      case "const":
        return this.constant(valueFromJson(e.value, e.type.type));
      case "field":
        return { code: atomic(this.env.field(e.variable, e.index, e.type, e.name)), repeatable: false };
      case "whole":
        return { code: atomic(this.env.whole(e.variable)), repeatable: false };
      case "param":
        return { code: atomic(this.env.param(e.name, e.type)), repeatable: false };
      case "env":
        return { code: atomic(this.env.envVar(e.name)), repeatable: false };
      case "global":
        return { code: atomic(this.env.global(e.name, e.type)), repeatable: false };
      case "record_field": {
        const field = this.recordFields.get(e.record)?.[e.index];
        if (!field) throw new Error(`internal: record field ${e.name} read outside of its record`);
        // The checker types the reference as its use needs (`x + 1i64` over `x: 0`) without a convert node.
        return ntypeEquals(field.type, e.type) ? field.value : this.convert(field.value, field.type, e.type);
      }
      case "vector":
      case "tuple":
        return this.composite(e.items);
      case "record":
        return this.record(e);
      case "call":
        return this.call(e);
      case "case":
        return this.caseExpr(e);
      case "cast":
        // Between numbers, and between types held alike, a cast is a conversion that cannot fail.
        if (convertInline("x", e.expr.type.type, e.type.type) !== undefined) return this.convert(this.expr(e.expr), e.expr.type, e.type);
        return this.cast(this.expr(e.expr), e.expr.type, e.type, "cast");
      case "convert":
        return this.convert(this.expr(e.expr), e.expr.type, e.type);
    }
  }

  private constant(v: Value): Operand {
    if (isScalarValue(v)) return { code: valueLiteral(v), repeatable: true };
    return { code: this.hoist("const", valueLiteral(v)), repeatable: true };
  }

  /** A vector or tuple literal: hoisted when every item is constant, else built per evaluation. */
  private composite(items: readonly TExpr[]): Operand {
    const constants = items.map(constantValue);
    if (constants.every((c) => c !== undefined)) return this.constant(constants as Value[]);
    return { code: `[${items.map((item) => this.expr(item).code).join(", ")}]`, repeatable: false };
  }

  private record(e: TRecord): Operand {
    // Later fields may read earlier ones by name: each field is bound once.
    const fields: { value: Operand; type: NType }[] = [];
    this.recordFields.set(e.id, fields);
    for (const f of e.fields) fields.push({ value: this.bind(this.expr(f.value), "field"), type: f.value.type });
    this.recordFields.delete(e.id);
    return { code: `[${fields.map((f) => f.value.code).join(", ")}]`, repeatable: false };
  }

  // ---- calls ------------------------------------------------------------------------------------

  private call(e: TCall): Operand {
    const item = e.generator ? this.env.generatorItem?.(e) : undefined;
    if (item !== undefined) return { code: item, repeatable: true };
    if (e.generator) throw new Error(`internal: the generator ${e.fn} must be expanded by the loop code`);
    const entry = entryOf(e.fn);
    if (!entry) throw new Error(`internal: no registry entry ${e.fn}`);
    const impl = entry.impl;
    if (impl.kind === "generator") throw new Error(`internal: the generator ${e.fn} must be expanded by the loop code`);
    if (impl.kind === "stateful") {
      if (e.state?.lifespan !== "immediately") return { code: atomic(this.env.state(e)), repeatable: false };
      if (!impl.immediate) throw new Error(`internal: ${e.fn} has no IMMEDIATELY mode`);
      const args = e.args.map((a) => (a === null ? { code: "null", repeatable: true } : this.expr(a)));
      return this.viaFunction(entry, "immediate", e, args);
    }
    const call = implCall(e);
    const args = e.args.map((a) => (a === null ? { code: "null", repeatable: true } : this.expr(a)));
    if (impl.passNulls) return this.operation(entry, e, call, args);
    const nullable = e.args.map((a, i) => (a?.type.nullable ? i : -1)).filter((i) => i >= 0);
    if (nullable.length === 0) return this.operation(entry, e, call, args);
    // Default propagation: any NULL argument gives NULL without running the operation.
    const bound = args.map((a, i) => (nullable.includes(i) ? this.bind(a, "arg") : a));
    const result = this.env.ids.fresh(e.fn);
    this.emit(`let ${result} = null;`);
    this.emit(`if (${nullable.map((i) => `${bound[i]!.code} !== null`).join(" && ")}) {`);
    this.nested(() => this.emit(`${result} = ${this.operation(entry, e, call, bound).code};`));
    this.emit("}");
    return { code: result, repeatable: true };
  }

  /** The operation on argument values (never NULL unless the entry passes NULLs): its template, else `apply`. */
  private operation(entry: FunctionEntry, e: TCall, call: ImplCall, args: readonly Operand[]): Operand {
    const impl = entry.impl;
    if (impl.kind !== "stateless") throw new Error(`internal: ${entry.name} is not stateless`);
    const template = impl.inline?.(
      args.map((_, i) => PLACEHOLDER(i)),
      call,
    );
    if (template === undefined) return this.viaFunction(entry, "apply", e, args);
    // Arguments the template uses other than exactly once are bound first, so each is evaluated once.
    let code = template;
    args.forEach((a, i) => {
      const parts = code.split(PLACEHOLDER(i));
      const arg = parts.length === 2 ? a : this.bind(a, "arg");
      code = parts.join(arg.code);
    });
    return { code: atomic(code), repeatable: false };
  }

  /**
   * A call of `impl[method]` through module-level constants: the function, its
   * ImplCall, and an argument array reused by every evaluation (implementations
   * never keep their argument array). The result is bound at once, so that
   * calls with effects (PRINT, MAPADD) run in the order of the expression.
   */
  private viaFunction(entry: FunctionEntry, method: "apply" | "immediate", e: TCall, args: readonly Operand[]): Operand {
    const fn = this.hoist(method, `entryOf(${stringLiteral(entry.name)}).impl.${method}`);
    const call = this.hoist("call", implCallLiteral(implCall(e), this.env.runtime));
    const argArray = this.hoist("args", `[${args.map(() => "null").join(", ")}]`);
    args.forEach((a, i) => this.emit(`${argArray}[${i}] = ${a.code};`));
    return this.bind({ code: `${fn}(${argArray}, ${call})`, repeatable: false }, e.fn);
  }

  // ---- CASE (raql.md §5.2) ----------------------------------------------------------------------------

  private caseExpr(e: TCase): Operand {
    const result = this.env.ids.fresh("case");
    this.emit(`let ${result} = null;`);
    this.branches(e, 0, result);
    return { code: result, repeatable: true };
  }

  /** Branch `i` onwards: a NULL condition leaves the result NULL; no match and no ELSE too. */
  private branches(e: TCase, i: number, result: string): void {
    const branch = e.branches[i];
    if (!branch) {
      if (e.else) {
        const value = this.expr(e.else);
        this.emit(`${result} = ${value.code};`);
      }
      return;
    }
    const when = this.expr(branch.when);
    if (branch.when.type.nullable) {
      const w = this.bind(when, "when");
      this.emit(`if (${w.code} === true) {`);
      this.nested(() => this.emit(`${result} = ${this.expr(branch.then).code};`));
      this.emit(`} else if (${w.code} === false) {`);
    } else {
      this.emit(`if (${when.code}) {`);
      this.nested(() => this.emit(`${result} = ${this.expr(branch.then).code};`));
      this.emit("} else {");
    }
    this.nested(() => this.branches(e, i + 1, result));
    this.emit("}");
  }

  // ---- conversions --------------------------------------------------------------------------------

  private cast(value: Operand, from: NType, to: NType, hint: string): Operand {
    const castFn = this.hoist(hint, `(v) => castValue(v, ${dataLiteral(from)}, ${dataLiteral(to)})`);
    return { code: `${castFn}(${value.code})`, repeatable: false };
  }

  /** A conversion that cannot fail (implicit ones, casts between numbers): inline where convertInline can, else castValue. */
  private convert(value: Operand, from: NType, to: NType): Operand {
    const inline = (x: string) => convertInline(x, from.type, to.type);
    if (inline("x") === undefined) return this.cast(value, from, to, "convert");
    if (!from.nullable) return { code: atomic(inline(value.code)!), repeatable: value.repeatable && inline("x") === "x" };
    const v = this.bind(value, "arg");
    return { code: `(${v.code} === null ? null : ${inline(v.code)!})`, repeatable: false };
  }
}

/** Inline code for conversions between scalars held alike and between numbers, undefined for the others (castValue then). */
function convertInline(x: string, from: Type, to: Type): string | undefined {
  if (from.tag === to.tag && from.tag !== "int" && from.tag !== "vector" && from.tag !== "list" && from.tag !== "tuple" && from.tag !== "record" && from.tag !== "map") return x;
  // ip4/ip6 values are already ip values, and cidr4/cidr6 cidr values.
  if ((to.tag === "ip" && (from.tag === "ip4" || from.tag === "ip6")) || (to.tag === "cidr" && (from.tag === "cidr4" || from.tag === "cidr6"))) return x;
  if (from.tag !== "int") return undefined;
  const bigSource = from.width > 32;
  if (to.tag === "float") return bigSource ? `Number(${x})` : x;
  if (to.tag !== "int") return undefined;
  const lossless = from.signed === to.signed ? from.width <= to.width : !from.signed && from.width < to.width;
  if (lossless) return bigSource || to.width <= 32 ? x : `BigInt(${x})`;
  // Integer constants are typed as narrow as their value allows, so converts may also narrow: wrap as castValue does.
  if (to.width > 32) return inlineWrap(bigSource ? x : `BigInt(${x})`, to);
  return inlineWrap(bigSource ? `Number(BigInt.asUintN(32, ${x}))` : x, to);
}

// ---- ImplCall -----------------------------------------------------------------------------------

/** The value of a constant argument (a literal, possibly converted), undefined for the others. */
function constantValue(e: TExpr | null): Value | undefined {
  if (e === null) return undefined;
  if (e.kind === "const") return valueFromJson(e.value, e.type.type);
  if (e.kind === "convert" || e.kind === "cast") {
    const inner = constantValue(e.expr);
    return inner === undefined ? undefined : castValue(inner, e.expr.type, e.type);
  }
  if (e.kind === "vector" || e.kind === "tuple") {
    const items = e.items.map(constantValue);
    return items.every((v) => v !== undefined) ? (items as Value[]) : undefined;
  }
  return undefined;
}

/** The compile-time facts of a call site (run-time hooks excepted). */
export function implCall(e: TCall): ImplCall {
  return {
    argTypes: e.args.map((a) => a?.type ?? null),
    resultType: e.type,
    nulls: e.state?.nulls ?? "skip",
    options: e.options ?? {},
    constants: e.args.map(constantValue),
  };
}

/** The JS source of `call` completed with the worker's hooks. */
export function implCallLiteral(call: ImplCall, runtime: ExprEnv["runtime"]): string {
  const hooks = (Object.keys(runtime) as RuntimeHook[]).filter((k) => runtime[k] !== undefined);
  const fields = [
    `argTypes: ${dataLiteral(call.argTypes)}`,
    `resultType: ${dataLiteral(call.resultType)}`,
    `nulls: ${dataLiteral(call.nulls)}`,
    `options: ${dataLiteral(call.options)}`,
    `constants: [${call.constants.map(valueLiteral).join(", ")}]`,
    ...hooks.map((k) => `${k}: ${runtime[k]!}`),
  ];
  return `{ ${fields.join(", ")} }`;
}
