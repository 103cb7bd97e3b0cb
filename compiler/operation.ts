// Checks one function (raql.md §4): expands SELECT, types every clause with
// the rules of its clause, derives the output schema, event time, factors and
// field masks, and builds the function's IR.

import type { Aggregate, EventClause, EventTimeField, Expr, FieldRef, ListenFor, Operation, ReadExternal, SelectItem } from "../grammar/ast.js";
import { walkExpr } from "../grammar/ast.js";
import type { MessageArgs, MessageKey } from "../grammar/diagnostics.js";
import { Span, spanUnion } from "../grammar/source.js";
import { NType, T, Type, isNumeric, ntypeEquals, ntypeToString } from "../grammar/types.js";
import { SECONDS_REL, Units } from "../grammar/units.js";
import { entryOf } from "../stdlib/registry.js";
import { concretizeN } from "../stdlib/typing.js";
import type { Value } from "../stdlib/values.js";
import type { ClauseKind } from "./clauses.js";
import { literalInExpr } from "./constants.js";
import type {
  AggregateIR,
  DurationIR,
  EventTimeFieldIR,
  EventTimeIR,
  FunctionIR,
  InputField,
  ListenIR,
  OutputField,
  ParentIR,
  ReadIR,
  SelectFieldIR,
  TExpr,
  TField,
} from "./ir.js";
import { walkTExpr } from "./ir.js";
import { Reporter, contextOf, didYouMean, listNames } from "./report.js";
import { ExprTyper, FieldInfo, FunctionScope, OutputFieldInfo, ProgramScope, Scope } from "./typer.js";

/** Implementation limit on the number of output fields (raql.md §4.16). */
export const MAX_OUTPUT_FIELDS = 4096;

/** How often SELECT is re-typed while `previous.x` types depend on the output's own types. */
const MAX_SELECT_PASSES = 5;

/** A parent as the child sees it. */
export interface ParentSchema {
  /** as named in messages: `f` or `p/f` */
  readonly display: string;
  readonly link: Omit<ParentIR, "fieldMask">;
  readonly output: readonly OutputField[];
  readonly eventTime?: EventTimeIR;
  readonly factors: readonly string[];
  /** the parent could not be checked: what is missing from it is not reported again */
  readonly failed: boolean;
  /** output fields whose expression failed to type */
  readonly failedFields: ReadonlySet<string>;
}

/** A function to check: a DEFINE, an anonymous operation or a sub-query. */
export interface FunctionUnit {
  readonly name: string;
  readonly span: Span;
  readonly nameSpan: Span;
  readonly doc: string;
  readonly lazy: boolean;
  readonly persistFor?: Expr;
  readonly queryingEvery?: Expr;
  readonly bestAfter?: Expr;
  readonly operation: Operation;
  readonly text: string;
}

export interface FunctionEnv {
  readonly report: Reporter;
  readonly typer: ExprTyper;
  readonly program: ProgramScope;
  readonly programName: string;
  /** PERSIST FOR / QUERYING EVERY / BEST AFTER: a constant or a parameter */
  duration(e: Expr, context: string): DurationIR | undefined;
}

export interface CheckedFunction {
  readonly ir: FunctionIR;
  readonly failed: boolean;
  readonly failedFields: ReadonlySet<string>;
}

/** What each kind of operation contributes to its function's IR. */
type OperationPart = Omit<FunctionIR, "name" | "doc" | "lazy" | "text" | "retention" | "bestAfter">;

const UNKNOWN_NULLABLE: NType = { type: { tag: "unknown" }, nullable: true };

/** Built-in outputs of LISTEN (raql.md §4.14). */
const LISTEN_PROTOCOLS: Readonly<
  Record<ListenFor["protocol"], { port: number; fields: readonly [string, NType, Units?][]; eventTime: EventTimeIR; factors: readonly string[] }>
> = (() => {
  const nn = (t: Type): NType => ({ type: t, nullable: false });
  const n = (t: Type): NType => ({ type: t, nullable: true });
  const at = (name: string): EventTimeFieldIR => ({ source: "output", name, scale: 1 });
  const startOnly: EventTimeIR = { start: at("start"), stop: { kind: "none" }, origin: "builtin" };
  return {
    collectd: {
      port: 25826,
      fields: [
        ["host", nn(T.string)],
        ["instance", n(T.string)],
        ["plugin", n(T.string)],
        ["start", nn(T.float), SECONDS_REL],
        ["type_instance", n(T.string)],
        ["type_name", n(T.string)],
        ["value", nn(T.float)],
        ["value2", n(T.float)],
        ["value3", n(T.float)],
        ["value4", n(T.float)],
        ["value5", n(T.float)],
      ],
      eventTime: startOnly,
      factors: [],
    },
    netflow: {
      port: 2055,
      fields: [
        ["source", n(T.ip)],
        ["start", nn(T.float), SECONDS_REL],
        ["stop", nn(T.float), SECONDS_REL],
        ["seqnum", nn(T.u32)],
        ["engine_type", nn(T.u8)],
        ["engine_id", nn(T.u8)],
        ["sampling_type", nn(T.u8)],
        ["sampling_rate", nn(T.u16)],
        ["src", nn(T.ip4)],
        ["dst", nn(T.ip4)],
        ["next_hop", nn(T.ip4)],
        ["src_port", nn(T.u16)],
        ["dst_port", nn(T.u16)],
        ["in_iface", nn(T.u16)],
        ["out_iface", nn(T.u16)],
        ["packets", nn(T.u32), [{ name: "packets", exponent: 1, relative: false }]],
        ["bytes", nn(T.u32), [{ name: "bytes", exponent: 1, relative: false }]],
        ["tcp_flags", nn(T.u8)],
        ["ip_proto", nn(T.u8)],
        ["ip_tos", nn(T.u8)],
        ["src_as", nn(T.u16)],
        ["dst_as", nn(T.u16)],
        ["src_mask", nn(T.u8)],
        ["dst_mask", nn(T.u8)],
      ],
      eventTime: { start: at("start"), stop: { kind: "stop", at: at("stop") }, origin: "builtin" },
      factors: ["source"],
    },
    graphite: {
      port: 2003,
      fields: [
        ["sender", n(T.ip)],
        ["receipt_time", nn(T.float), SECONDS_REL],
        ["metric", nn(T.string)],
        ["tags", nn(T.list(nn(T.tuple([nn(T.string), nn(T.string)]))))],
        ["value", nn(T.float)],
        ["start", nn(T.float), SECONDS_REL],
      ],
      eventTime: startOnly,
      factors: ["sender", "metric"],
    },
  };
})();

/** The alias a SELECT item gets without AS (raql.md §4.2), if any. */
export function defaultAlias(e: Expr): string | undefined {
  switch (e.kind) {
    case "field":
      return e.name.length > 1 && e.name.startsWith("_") ? e.name.slice(1) : e.name;
    case "units":
    case "cast":
      return defaultAlias(e.expr);
    case "call": {
      const index = e.args[0];
      // `r.x` is GET("x", r)
      if (e.fn === "get" && index?.kind === "literal" && index.value.tag === "string") return index.value.value;
      const entry = entryOf(e.fn);
      if (!entry?.defaultAlias) return undefined;
      let argAlias: string | undefined;
      for (const a of e.args) {
        argAlias = a ? defaultAlias(a) : undefined;
        if (argAlias !== undefined) break;
      }
      if (argAlias === undefined) return undefined;
      const constants: (Value | undefined)[] = e.args.map((a) => (a?.kind === "literal" ? literalInExpr(a.value, a.nullable).value : undefined));
      return entry.defaultAlias(argAlias, { constants });
    }
    default:
      return undefined;
  }
}

function mentionsLastOut(e: Expr): boolean {
  let found = false;
  walkExpr(e, (x) => {
    if ((x.kind === "field" || x.kind === "variable") && (x.variable === "local_last_out" || x.variable === "global_last_out")) found = true;
    if (x.kind === "call" && x.fn === "changed") found = true;
  });
  return found;
}

function isTrueLiteral(e: Expr): boolean {
  return e.kind === "literal" && e.value.tag === "bool" && e.value.value;
}

function sameFieldInfos(a: readonly OutputFieldInfo[], b: readonly OutputFieldInfo[]): boolean {
  return a.length === b.length && a.every((f, i) => f.name === b[i]!.name && f.generated === b[i]!.generated && ntypeEquals(f.type, b[i]!.type));
}

/** Top-level conjuncts of a condition. */
function conjuncts(e: TExpr): TExpr[] {
  return e.kind === "call" && e.fn === "and" && e.args.length === 2 ? [...conjuncts(e.args[0]!), ...conjuncts(e.args[1]!)] : [e];
}

/** A WHERE conjunct that can be decided before the group lookup (§4.4). */
function isFastCondition(e: TExpr): boolean {
  let fast = true;
  walkTExpr(e, (x) => {
    if (x.kind === "field" && x.variable !== "in") fast = false;
    if (x.kind === "whole" && x.variable !== "in") fast = false;
    if (x.kind === "call" && x.state?.lifespan === "locally") fast = false;
  });
  return fast;
}

function readsInput(e: TExpr): boolean {
  let reads = false;
  walkTExpr(e, (x) => {
    if ((x.kind === "field" || x.kind === "whole") && x.variable === "in") reads = true;
  });
  return reads;
}

/** "(bytes_opt is u64?)": where the nullability of a condition comes from. */
function nullableCulprits(e: TExpr): string {
  const seen: string[] = [];
  walkTExpr(e, (x) => {
    if ((x.kind === "field" || x.kind === "param" || x.kind === "env" || x.kind === "global") && x.type.nullable) {
      const s = `${x.name} is ${ntypeToString(x.type)}`;
      if (!seen.includes(s)) seen.push(s);
    }
  });
  return seen.length === 0 ? "" : ` (${seen.slice(0, 2).join(", ")})`;
}

const isSuitableTime = (t: NType): boolean => isNumeric(t.type) && !t.nullable;

// ---------------------------------------------------------------------------------------

class FunctionChecker implements FunctionScope {
  readonly usedInput = new Set<string>();
  /** output fields typed so far (SELECT) */
  private earlier: OutputFieldInfo[] = [];
  /** every output field, once SELECT is typed */
  private allOutput: OutputFieldInfo[] = [];
  /** the output types `previous.x` sees (a guess until SELECT reaches its fixpoint) */
  private lastOut: OutputFieldInfo[] = [];
  usesLocalLastOut = false;
  usesGlobalLastOut = false;
  private readonly hasGroupBy: boolean;
  private readonly aggregates: boolean;
  readonly commitsEveryTuple: boolean;
  private readonly report: Reporter;
  private readonly typer: ExprTyper;

  constructor(
    private readonly unit: FunctionUnit,
    private readonly parents: readonly ParentSchema[],
    private readonly env: FunctionEnv,
  ) {
    this.report = env.report;
    this.typer = env.typer;
    const op = unit.operation;
    this.hasGroupBy = op.kind === "aggregate" && (op.groupBy?.length ?? 0) > 0;
    const commit = op.kind === "aggregate" ? op.commit : undefined;
    const nonDefaultCommit = commit !== undefined && (commit.before || (commit.when !== undefined && !isTrueLiteral(commit.when)));
    const keeps = commit !== undefined && commit.flush !== "flush";
    this.aggregates = this.hasGroupBy || nonDefaultCommit || keeps;
    this.commitsEveryTuple = !this.aggregates;
  }

  get name(): string {
    return this.unit.name;
  }

  private ctx(clause?: string): string {
    return contextOf(this.unit.name, clause)!;
  }

  private error(key: MessageKey, args: MessageArgs, span: Span, context: string, notes?: readonly string[], hint?: string): undefined {
    this.report.error(key, args, { span, context, ...(notes ? { notes } : {}), ...(hint ? { hint } : {}) });
    return undefined;
  }

  private scope(clause: ClauseKind, label?: string, flags?: { generator: boolean }): Scope {
    return { clause, context: this.ctx(label ?? clauseLabel(clause)), fn: this, ...(flags ? { flags } : {}) };
  }

  // ---- FunctionScope ----

  inputField(name: string, span: Span, context: string): FieldInfo | undefined {
    if (this.parents.length === 0) {
      return this.error("unknownField", { field: name, detail: ` (function ${this.unit.name} has no parent)` }, span, context);
    }
    const first = this.parents[0]!;
    const f0 = first.output.find((f) => f.name === name);
    if (!f0) {
      if (first.failed) return undefined;
      const available = first.output.filter((f) => !f.private).map((f) => f.name);
      return this.error("fieldNotInParent", { field: name, parent: first.display, available: listNames(available) }, span, context, undefined, didYouMean(name, available));
    }
    if (f0.private) return this.error("privateField", { field: name }, span, context);
    let ok = true;
    for (const p of this.parents.slice(1)) {
      const f = p.output.find((x) => x.name === name);
      if (!f) {
        if (!p.failed) this.error("fieldMissingFromParent", { field: name, parent: p.display }, span, context);
        ok = false;
      } else if (f.private) {
        this.error("privateField", { field: name }, span, context);
        ok = false;
      } else if (!ntypeEquals(f.type, f0.type) && !p.failedFields.has(name) && !first.failedFields.has(name)) {
        const detail = `${ntypeToString(f0.type)} in ${first.display} but ${ntypeToString(f.type)} in ${p.display}`;
        this.error("parentMismatch", { field: name, detail }, span, context);
        ok = false;
      }
    }
    if (!ok || this.parents.some((p) => p.failedFields.has(name))) return undefined;
    this.usedInput.add(name);
    return { type: f0.type, ...(f0.units ? { units: f0.units } : {}) };
  }

  inputRecord(span: Span, context: string): FieldInfo | undefined {
    const fields = this.commonPublicFields(span, context, []);
    if (!fields) return undefined;
    for (const f of fields) this.usedInput.add(f.name);
    return { type: { type: T.record(fields.map((f) => ({ name: f.name, type: f.type }))), nullable: false } };
  }

  visibleOutput(mode: "earlier" | "all"): readonly OutputFieldInfo[] {
    return mode === "earlier" ? this.earlier : this.allOutput;
  }

  lastOutput(): readonly OutputFieldInfo[] {
    return this.lastOut;
  }

  noteLastOutUse(variable: "local_last_out" | "global_last_out"): void {
    if (variable === "local_last_out") this.usesLocalLastOut = true;
    else this.usesGlobalLastOut = true;
  }

  defaultLifespan(clause: ClauseKind): "locally" | "globally" {
    // Stateful functions in WHERE are global unless there are groups (§4.4).
    if (clause === "where") return this.hasGroupBy ? "locally" : "globally";
    return this.aggregates ? "locally" : "globally";
  }

  /**
   * The public fields present in every parent, in the first parent's order
   * (`*` and `in` as a whole); undefined when some parent could not be checked.
   */
  private commonPublicFields(span: Span, context: string, exclude: readonly string[]): OutputField[] | undefined {
    if (this.parents.some((p) => p.failed)) return undefined;
    const first = this.parents[0];
    if (!first) return [];
    const out: OutputField[] = [];
    let ok = true;
    for (const f of first.output) {
      if (f.private || exclude.includes(f.name)) continue;
      const others = this.parents.slice(1).map((p) => p.output.find((g) => g.name === f.name && !g.private));
      if (others.some((g) => g === undefined)) continue;
      const conflict = others.find((g) => !ntypeEquals(g!.type, f.type));
      if (conflict) {
        this.error("starTypeConflict", { field: f.name, a: ntypeToString(f.type), b: ntypeToString(conflict.type) }, span, context);
        ok = false;
        continue;
      }
      out.push(f);
    }
    return ok ? out : undefined;
  }

  // ---- clause checks ----

  /** A condition: non-nullable bool (WHERE, commit, SORT UNTIL, READ … DELETE IF). */
  private condition(node: TExpr | undefined, what: string, context: string): TExpr | undefined {
    if (!node) return undefined;
    const n = node.type.type.tag === "unknown" ? this.typer.retype(node, { type: T.bool, nullable: true }) : node;
    if (n.type.type.tag !== "bool") {
      return this.error("typeMismatch", { what, expected: "of type bool" }, n.span, context, [`expected: bool, got: ${ntypeToString(n.type)}`]);
    }
    if (n.type.nullable) {
      const text = this.report.text(n.span);
      return this.error("mustNotBeNullable", { what }, n.span, context, [`expected: bool (non-nullable), got: bool?${nullableCulprits(n)}`], `use COALESCE(${text}, false)`);
    }
    return n;
  }

  /** A non-nullable value of some family (EVERY period, notification name, file name…). */
  private value(node: TExpr | undefined, accepts: (t: Type) => boolean, expected: string, expectedType: string, context: string): TExpr | undefined {
    if (!node) return undefined;
    const what = this.report.text(node.span);
    if (!accepts(node.type.type)) {
      return this.error("typeMismatch", { what, expected }, node.span, context, [`expected: ${expectedType}, got: ${ntypeToString(node.type)}`]);
    }
    if (node.type.nullable) {
      return this.error("mustNotBeNullable", { what }, node.span, context, [`expected: ${expectedType} (non-nullable), got: ${ntypeToString(node.type)}${nullableCulprits(node)}`]);
    }
    return node;
  }

  private string(node: TExpr | undefined, context: string): TExpr | undefined {
    return this.value(node, (t) => t.tag === "string", "of type string", "string", context);
  }

  // ---- the operation kinds ----

  check(): FunctionIR {
    const op = this.unit.operation;
    const common = {
      name: this.unit.name,
      doc: this.unit.doc,
      lazy: this.unit.lazy,
      text: this.unit.text,
      ...this.retention(),
    };
    switch (op.kind) {
      case "aggregate":
        return { ...common, ...this.checkAggregate(op) };
      case "read":
        return { ...common, ...this.checkRead(op) };
      case "listen":
        return { ...common, ...this.checkListen(op) };
    }
  }

  private retention(): Pick<FunctionIR, "retention" | "bestAfter"> {
    const u = this.unit;
    const context = this.ctx();
    const persist = u.persistFor && this.env.duration(u.persistFor, context);
    const query = u.queryingEvery && this.env.duration(u.queryingEvery, context);
    if (u.queryingEvery && !u.persistFor) this.error("incompleteRetention", {}, u.queryingEvery.span, context);
    const best = u.bestAfter && this.env.duration(u.bestAfter, context);
    return {
      ...(persist ? { retention: { duration: persist, ...(query ? { queryPeriod: query } : {}) } } : {}),
      ...(best ? { bestAfter: best } : {}),
    };
  }

  private checkAggregate(op: Aggregate): OperationPart {
    const spans = op.clauseSpans ?? {};
    if (op.every && op.from.length > 0) this.error("everyWithFrom", {}, spans.every ? spanUnion(spans.every, op.every.span) : op.every.span, this.ctx());

    // SELECT
    const specs = this.selectSpecs(op);
    const usesLast = specs.some((s) => mentionsLastOut(s.expr));
    this.lastOut = specs.map((s) => ({ name: s.name, type: UNKNOWN_NULLABLE, generated: false, failed: false }));
    let typed = this.typeSelect(specs);
    // `previous.x` reads the output's own type: iterate until the types settle.
    for (let pass = 1; usesLast && pass < MAX_SELECT_PASSES && !sameFieldInfos(typed.infos, this.lastOut); pass++) {
      this.report.rollback(typed.mark);
      this.lastOut = typed.infos;
      typed = this.typeSelect(specs);
    }
    this.allOutput = typed.infos;
    this.lastOut = typed.infos;

    let output: OutputField[];
    let select: SelectFieldIR[];
    if (op.select === undefined) {
      // Without SELECT, a single constant boolean field (§4.2).
      const dummy: TExpr = { kind: "const", value: true, type: { type: T.bool, nullable: false }, span: op.span };
      output = [{ name: "dummy", type: dummy.type, doc: "", private: false }];
      select = [{ name: "dummy", expr: dummy }];
      this.allOutput = [{ name: "dummy", type: dummy.type, generated: false, failed: false }];
    } else {
      output = specs.map((s, i) => {
        const info = typed.infos[i]!;
        const units = typed.nodes[i]?.units ?? s.units;
        return {
          name: s.name,
          type: concretizeN(info.type),
          ...(units ? { units } : {}),
          doc: s.doc,
          ...(s.aggregate ? { aggregate: s.aggregate } : {}),
          private: s.name.startsWith("_"),
          ...(info.generated ? { generated: true as const } : {}),
        };
      });
      select = specs.map((s, i) => ({ name: s.name, expr: typed.nodes[i] ?? placeholder(s.span) }));
      if (output.length > MAX_OUTPUT_FIELDS) this.error("tooManyFields", { max: MAX_OUTPUT_FIELDS }, spans.select ?? op.span, this.ctx("SELECT clause"));
    }

    // WHERE
    const whereScope = this.scope("where");
    const where = op.where && this.condition(this.typer.typeExpr(op.where, whereScope), "condition", whereScope.context);
    const whereParts = where ? conjuncts(where) : [];

    // GROUP BY
    const groupScope = this.scope("groupBy");
    const groupBy = (op.groupBy ?? []).map((k) => this.typer.typeExpr(k, groupScope));

    // commit clause
    const commitScope = this.scope("commit");
    const c = op.commit;
    const when = c?.when
      ? this.condition(this.typer.typeExpr(c.when, commitScope), "condition", commitScope.context)
      : ({ kind: "const", value: true, type: { type: T.bool, nullable: false }, span: c?.span ?? op.span } as TExpr);
    const fq = `${this.env.programName}/${this.unit.name}`;
    const notifications = (c?.notifications ?? []).map((n, i) => {
      if (!n.name) return { kind: "const", value: fq, type: { type: T.string, nullable: false }, span: n.span } as TExpr;
      const scope = this.scope("notify", `notification #${i + 1}`);
      return this.string(this.typer.typeExpr(n.name, scope), scope.context);
    });
    if (this.unit.lazy && notifications.length > 0) this.report.warn("lazyNotifies", { name: this.unit.name }, { span: this.unit.nameSpan, context: this.ctx() });

    // SORT
    let sort: AggregateIR["sort"];
    if (op.sort) {
      const s = op.sort;
      if (!Number.isInteger(s.last) || s.last <= 0) this.error("sortNotConstant", {}, s.span, this.ctx("SORT clause"));
      const untilScope = this.scope("sortUntil");
      const until = s.until && this.condition(this.typer.typeExpr(s.until, untilScope), "condition", untilScope.context);
      const byScope = this.scope("sortBy");
      const byExprs: readonly Expr[] = s.by.length > 0 ? s.by : [{ kind: "field", variable: "in", name: "start", span: s.span }];
      const by = byExprs.map((k) => this.typer.typeExpr(k, byScope));
      sort = { last: s.last, ...(until ? { until } : {}), by: by.map((b) => b ?? placeholder(s.span)) };
    }

    // EVERY
    let every: TExpr | undefined;
    if (op.every) {
      const scope = this.scope("every");
      every = this.value(this.typer.typeExpr(op.every, scope), isNumeric, "numeric", "numeric", scope.context);
    }

    // COMMIT BEFORE keeps groups: grouping on a field no parent declares as a factor may grow forever (§4.16).
    if (c?.before) {
      for (const k of groupBy) {
        if (k?.kind !== "field" || k.variable !== "in") continue;
        if (!this.parents.some((p) => p.factors.includes(k.name))) {
          this.report.warn("groupByNonFactor", { name: this.unit.name, field: k.name }, { span: k.span, context: this.ctx("GROUP-BY clause") });
        }
      }
    }

    const eventTime = this.eventTime(op.event, output, specs) ?? this.inheritedEventTime(select);
    const factors = this.factors(op.factors, output);

    const aggregate: AggregateIR = {
      kind: "aggregate",
      select,
      where: { fast: whereParts.filter(isFastCondition), slow: whereParts.filter((p) => !isFastCondition(p)) },
      groupBy: groupBy.map((g) => g ?? placeholder(op.span)),
      commit: {
        when: when ?? placeholder(op.span),
        before: c?.before ?? false,
        flush: c?.flush ?? "flush",
        notifications: notifications.map((n) => n ?? placeholder(op.span)),
        whenReadsInput: when !== undefined && readsInput(when),
      },
      ...(sort ? { sort } : {}),
      ...(every ? { every } : {}),
      localStates: 0,
      globalStates: 0,
      usesLocalLastOut: this.usesLocalLastOut,
      usesGlobalLastOut: this.usesGlobalLastOut,
      hasGenerator: output.some((f) => f.generated),
    };
    const input = this.inputFields();
    const states = numberStatesAndFields(aggregate, input, output);
    return {
      parents: this.parentLinks(),
      input,
      output,
      ...(eventTime ? { eventTime } : {}),
      factors,
      operation: { ...aggregate, ...states },
    };
  }

  /** The output fields of SELECT, in order, with `*` expanded and aliases applied. */
  private selectSpecs(op: Aggregate): SelectSpec[] {
    if (!op.select) return [];
    const context = this.ctx("SELECT clause");
    const fieldItems = op.select.filter((i): i is Extract<SelectItem, { kind: "field" }> => i.kind === "field");
    const explicitNames = new Set(fieldItems.map((i) => i.alias ?? defaultAlias(i.expr)).filter((n): n is string => n !== undefined));
    const specs: SelectSpec[] = [];
    const seen = new Set<string>();
    for (const item of op.select) {
      if (item.kind === "star") {
        if (this.parents.length === 0) {
          this.error("starWithoutParent", {}, item.span, context);
          continue;
        }
        const first = this.parents[0]!;
        for (const x of item.exclude) {
          if (!first.failed && !first.output.some((f) => f.name === x && !f.private)) {
            const available = first.output.filter((f) => !f.private).map((f) => f.name);
            this.error("fieldNotInParent", { field: x, parent: first.display, available: listNames(available) }, item.span, context);
          }
        }
        for (const f of this.commonPublicFields(item.span, context, item.exclude) ?? []) {
          if (explicitNames.has(f.name) || seen.has(f.name)) continue;
          seen.add(f.name);
          const ref: FieldRef = { kind: "field", variable: "in", name: f.name, span: item.span };
          specs.push({ name: f.name, span: item.span, expr: ref, doc: f.doc, ...(f.aggregate ? { aggregate: f.aggregate } : {}), ...(f.units ? { units: f.units } : {}) });
        }
        continue;
      }
      const name = item.alias ?? defaultAlias(item.expr);
      if (name === undefined) {
        this.error("missingAlias", {}, item.expr.span, context);
        // Still type it, for the errors it may hold.
        this.typer.typeExpr(item.expr, this.scope("select", undefined, { generator: false }));
        continue;
      }
      if (seen.has(name)) {
        this.error("duplicateAlias", { alias: name }, item.aliasSpan ?? item.span, context);
        continue;
      }
      seen.add(name);
      specs.push({ name, span: item.span, expr: item.expr, doc: item.doc ?? "", ...(item.aggregate ? { aggregate: item.aggregate } : {}) });
    }
    // AGGREGATE USING same: the input fields such a field reads are added to the output (§4.2).
    for (const spec of specs.filter((s) => s.aggregate === "same")) {
      walkExpr(spec.expr, (x) => {
        if (x.kind !== "field" || seen.has(x.name)) return;
        const bare = x.variable === undefined && this.env.program.param(x.name) === undefined && this.env.program.global(x.name) === undefined;
        if (x.variable !== "in" && !bare) return;
        seen.add(x.name);
        specs.push({ name: x.name, span: x.span, expr: { kind: "field", variable: "in", name: x.name, span: x.span }, doc: "" });
      });
    }
    return specs;
  }

  private typeSelect(specs: readonly SelectSpec[]): { nodes: (TExpr | undefined)[]; infos: OutputFieldInfo[]; mark: { errors: number; warnings: number } } {
    const mark = this.report.mark();
    this.earlier = [];
    const nodes: (TExpr | undefined)[] = [];
    for (const s of specs) {
      const flags = { generator: false };
      const node = this.typer.typeExpr(s.expr, this.scope("select", undefined, flags));
      nodes.push(node);
      this.earlier.push({
        name: s.name,
        type: node?.type ?? UNKNOWN_NULLABLE,
        ...(node?.units ? { units: node.units } : {}),
        generated: flags.generator,
        failed: node === undefined,
      });
    }
    const infos = this.earlier;
    return { nodes, infos, mark };
  }

  private checkRead(op: ReadExternal): OperationPart {
    const scope = this.scope("read");
    const ctx = scope.context;
    const src = op.source;
    const typeIt = (e: Expr) => this.typer.typeExpr(e, scope);
    let source: ReadIR["source"];
    if (src.kind === "file") {
      const path = this.string(typeIt(src.path), ctx);
      const preprocess = src.preprocess && this.string(typeIt(src.preprocess), ctx);
      const deleteIf = src.deleteIf && this.condition(typeIt(src.deleteIf), "delete condition", ctx);
      source = { kind: "file", path: path ?? placeholder(src.span), ...(preprocess ? { preprocess } : {}), ...(deleteIf ? { deleteIf } : {}) };
    } else {
      const topic = this.string(typeIt(src.topic), ctx);
      const partitions = src.partitions && typeIt(src.partitions);
      const options = src.options.map((o) => ({ name: o.name, value: this.string(typeIt(o.value), ctx) ?? placeholder(src.span) }));
      source = { kind: "kafka", topic: topic ?? placeholder(src.span), ...(partitions ? { partitions } : {}), options };
    }
    const output: OutputField[] = [];
    const seen = new Set<string>();
    for (const f of op.format.fields) {
      if (seen.has(f.name)) this.error("duplicateName", { name: f.name }, f.span, ctx);
      seen.add(f.name);
      output.push({
        name: f.name,
        type: f.type,
        ...(f.units ? { units: f.units } : {}),
        doc: f.doc ?? "",
        ...(f.aggregate ? { aggregate: f.aggregate } : {}),
        private: f.name.startsWith("_"),
      });
    }
    if (output.length > MAX_OUTPUT_FIELDS) this.error("tooManyFields", { max: MAX_OUTPUT_FIELDS }, op.span, ctx);
    const spans = op.format.fields.map((f) => ({ name: f.name, span: f.span }));
    const eventTime = this.eventTime(op.event, output, spans);
    const factors = this.factors(op.factors, output);
    const read: ReadIR = { kind: "read", source, format: op.format };
    for (const e of readExprs(read)) numberStatesAndFields({ exprs: [e] }, [], output);
    return { parents: [], input: [], output, ...(eventTime ? { eventTime } : {}), factors, operation: read };
  }

  private checkListen(op: ListenFor): OperationPart {
    const proto = LISTEN_PROTOCOLS[op.protocol];
    const output: OutputField[] = proto.fields.map(([name, type, units]) => ({ name, type, ...(units ? { units } : {}), doc: "", private: false }));
    const listen: ListenIR = {
      kind: "listen",
      protocol: op.protocol,
      ...(op.address !== undefined ? { address: op.address } : {}),
      port: op.port ?? proto.port,
      transport: op.transport,
    };
    const factors = op.factors ? this.factors(op.factors, output) : [...proto.factors];
    return { parents: [], input: [], output, eventTime: proto.eventTime, factors, operation: listen };
  }

  // ---- event time, factors ----

  private eventTime(
    clause: EventClause | undefined,
    output: readonly OutputField[],
    spans: readonly { name: string; span: Span }[],
  ): EventTimeIR | undefined {
    const context = this.ctx("EVENT clause");
    if (clause) {
      const field = (ef: EventTimeField): EventTimeFieldIR | undefined => {
        const out = output.find((f) => f.name === ef.field);
        const param = out ? undefined : this.env.program.param(ef.field);
        if (param === "failed") return undefined;
        const type = out?.type ?? param?.type;
        if (!type) {
          const names = output.map((f) => f.name);
          return this.error("fieldNotInOutput", { field: ef.field, available: listNames(names) }, ef.span, context, undefined, didYouMean(ef.field, names));
        }
        if (!isSuitableTime(type)) {
          return this.error("eventTimeField", { field: ef.field, detail: `expected a non-nullable number, got ${ntypeToString(type)}` }, ef.span, context);
        }
        return { source: out ? "output" : "param", name: ef.field, scale: ef.scale };
      };
      const start = field(clause.start);
      const s = clause.stop;
      let stop: EventTimeIR["stop"] | undefined = { kind: "none" };
      if (s?.kind === "duration") stop = { kind: "duration", seconds: s.seconds };
      else if (s) {
        const at = field(s.at);
        stop = at && { kind: s.kind, at };
      }
      return start && stop && { start, stop, origin: "explicit" };
    }
    // Implicit: fields named start, stop, duration (§4.9).
    const get = (name: string) => output.find((f) => f.name === name);
    for (const name of ["start", "stop", "duration"]) {
      const f = get(name);
      if (f && !isSuitableTime(f.type)) {
        const span = spans.find((x) => x.name === name)?.span ?? this.unit.span;
        this.report.warn("eventTimeType", { field: name }, { span, context: this.ctx() });
      }
    }
    const start = get("start");
    if (!start || !isSuitableTime(start.type)) return undefined;
    const at = (name: string): EventTimeFieldIR => ({ source: "output", name, scale: 1 });
    const stopField = get("stop");
    const durationField = get("duration");
    const stop: EventTimeIR["stop"] =
      stopField && isSuitableTime(stopField.type)
        ? { kind: "stop", at: at("stop") }
        : durationField && isSuitableTime(durationField.type)
          ? { kind: "duration_field", at: at("duration") }
          : { kind: "none" };
    return { start: at("start"), stop, origin: "implicit" };
  }

  /**
   * Without EVENT clause nor `start` field, the parents' event time carries
   * over when its fields are copied unchanged (§4.9, §8).
   */
  private inheritedEventTime(select: readonly SelectFieldIR[]): EventTimeIR | undefined {
    if (this.parents.length === 0 || this.parents.some((p) => !p.eventTime)) return undefined;
    const et = this.parents[0]!.eventTime!;
    const key = JSON.stringify(et);
    if (this.parents.some((p) => JSON.stringify(p.eventTime) !== key)) return undefined;
    const map = (f: EventTimeFieldIR): EventTimeFieldIR | undefined => {
      if (f.source === "param") return f;
      const copy = select.find((s) => s.expr.kind === "field" && s.expr.variable === "in" && s.expr.name === f.name);
      return copy && { source: "output", name: copy.name, scale: f.scale };
    };
    const start = map(et.start);
    if (!start) return undefined;
    let stop: EventTimeIR["stop"] | undefined = et.stop;
    if (et.stop.kind === "stop" || et.stop.kind === "duration_field") {
      const at = map(et.stop.at);
      stop = at && { kind: et.stop.kind, at };
    }
    return stop && { start, stop, origin: "inherited" };
  }

  private factors(list: readonly { name: string; span: Span }[] | undefined, output: readonly OutputField[]): string[] {
    const context = this.ctx("FACTORS clause");
    const out: string[] = [];
    for (const f of list ?? []) {
      const field = output.find((o) => o.name === f.name);
      if (!field) {
        const names = output.map((o) => o.name);
        this.error("fieldNotInOutput", { field: f.name, available: listNames(names) }, f.span, context, undefined, didYouMean(f.name, names));
      } else if (field.private) this.error("privateFactor", { field: f.name }, f.span, context);
      else out.push(f.name);
    }
    return out;
  }

  // ---- links ----

  /** The fields read from the parents, in the first parent's order. */
  private inputFields(): InputField[] {
    const first = this.parents[0];
    if (!first) return [];
    return first.output
      .filter((f) => this.usedInput.has(f.name))
      .map((f) => ({ name: f.name, type: f.type, ...(f.units ? { units: f.units } : {}) }));
  }

  private parentLinks(): ParentIR[] {
    return this.parents.map((p) => ({ ...p.link, fieldMask: p.output.map((f) => (this.usedInput.has(f.name) ? "1" : "0")).join("") }));
  }
}

interface SelectSpec {
  readonly name: string;
  readonly span: Span;
  readonly expr: Expr;
  readonly doc: string;
  readonly aggregate?: string;
  /** units of a field copied by `*` */
  readonly units?: Units;
}

function clauseLabel(clause: ClauseKind): string {
  switch (clause) {
    case "select":
      return "SELECT clause";
    case "where":
      return "WHERE clause";
    case "groupBy":
      return "GROUP-BY clause";
    case "commit":
      return "commit clause";
    case "notify":
      return "notification";
    case "sortUntil":
      return "SORT-UNTIL clause";
    case "sortBy":
      return "SORT-BY clause";
    case "every":
      return "EVERY clause";
    case "runIf":
      return "running condition";
    case "read":
      return "READ clause";
  }
}

/**
 * Stands for an expression that failed to type; never reaches the code
 * generator because the check then throws.
 */
function placeholder(span: Span): TExpr {
  return { kind: "const", value: null, type: { type: { tag: "unknown" }, nullable: true }, span };
}

function readExprs(r: ReadIR): TExpr[] {
  const s = r.source;
  if (s.kind === "file") return [s.path, ...(s.preprocess ? [s.preprocess] : []), ...(s.deleteIf ? [s.deleteIf] : [])];
  return [s.topic, ...(s.partitions ? [s.partitions] : []), ...s.options.map((o) => o.value)];
}

/**
 * Fills the positions of field references (in the input or output) and
 * numbers the state slots of stateful calls, per kind (local / global).
 */
function numberStatesAndFields(
  op: Pick<AggregateIR, "select" | "where" | "groupBy" | "commit" | "sort" | "every"> | { exprs: readonly TExpr[] },
  input: readonly InputField[],
  output: readonly OutputField[],
): { localStates: number; globalStates: number } {
  const exprs: TExpr[] =
    "exprs" in op
      ? [...op.exprs]
      : [
          ...(op.sort ? [...op.sort.by, ...(op.sort.until ? [op.sort.until] : [])] : []),
          ...op.where.fast,
          ...op.where.slow,
          ...op.groupBy,
          ...op.select.map((s) => s.expr),
          op.commit.when,
          ...op.commit.notifications,
          ...(op.every ? [op.every] : []),
        ];
  const inputIndex = new Map(input.map((f, i) => [f.name, i]));
  const outputIndex = new Map(output.map((f, i) => [f.name, i]));
  let local = 0;
  let global = 0;
  for (const e of exprs) {
    walkTExpr(e, (x) => {
      if (x.kind === "field" && !x.name.startsWith("#")) {
        const fromInput = x.variable === "in" || x.variable.startsWith("sort_");
        // Fields are created by the checker and patched once, here, before the IR is handed out.
        (x as { index: number }).index = (fromInput ? inputIndex : outputIndex).get((x as TField).name) ?? -1;
      }
      if (x.kind === "call" && x.state && x.state.lifespan !== "immediately") {
        (x.state as { slot: number }).slot = x.state.lifespan === "locally" ? local++ : global++;
      }
    });
  }
  return { localStates: local, globalStates: global };
}

export function checkFunction(unit: FunctionUnit, parents: readonly ParentSchema[], env: FunctionEnv): CheckedFunction {
  const before = env.report.errors.length;
  const checker = new FunctionChecker(unit, parents, env);
  const ir = checker.check();
  const failedFields = new Set<string>();
  if (ir.operation.kind === "aggregate") {
    for (const s of ir.operation.select) if (s.expr.type.type.tag === "unknown") failedFields.add(s.name);
  }
  return { ir, failed: env.report.errors.length > before, failedFields };
}

