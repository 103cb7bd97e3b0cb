// Code generation of one function (compiler/ir.ts FunctionIR) into the JS
// source of a factory `function make_NAME(rt)` returning its FunctionTask
// (runtime/engine/api.ts). The factory holds the function's state; the task's
// methods are the loops the runtime calls per input batch, tick or rows.
//
// The per-tuple code follows raql.md §4.6 step by step: SORT buffer, fast
// WHERE, group lookup, slow WHERE, aggregation (stateful functions updated in
// the order of the clauses, inner calls first), commit check (AFTER on the
// new output, BEFORE on the would-be output), flush (FLUSH/KEEP), then the
// other groups when the condition reads `in`.
//
// Layout choices, for speed: input columns are read straight from the Arrow
// buffers (typed arrays, validity bits) inside the loop; per-group state is
// struct-of-arrays indexed by a group number (typed arrays for the inlined
// stateful functions, plain arrays otherwise); groups are found through one
// Map from the key (the key value itself for a single scalar key); the output
// of a tuple lives in locals `o_N` and is only stored per group when a later
// tuple may emit it (COMMIT BEFORE, conditions reading `in`).

import type { NType } from "../../grammar/types.js";
import type { InlineRefs, InlineStateful } from "../../stdlib/entry.js";
import { storageOf, typedArrayOf } from "../../stdlib/inline-state.js";
import { entryOf } from "../../stdlib/registry.js";
import type { AggregateIR, EventTimeFieldIR, EventTimeIR, FunctionIR, OutputField, ReadIR, TCall, TExpr, TupleVariable } from "../ir.js";
import { childTExprs, walkTExpr } from "../ir.js";
import { type ExprEnv, type GeneratedExpr, IdentifierPool, dataLiteral, generateExpr, implCall, implCallLiteral, stringLiteral } from "./expr.js";

/** The name of the factory of a function in its program module. */
export function factoryName(fn: FunctionIR, index: number): string {
  return `make_${index}_${fn.name.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

/** The JS source of the factory of `fn`. */
export function generateFunction(fn: FunctionIR, index: number): string {
  const op = fn.operation;
  switch (op.kind) {
    case "aggregate":
      return new AggregateGenerator(fn, op, factoryName(fn, index)).generate();
    case "read":
      return generateRead(fn, op, factoryName(fn, index));
    case "listen":
      return generateListen(fn, factoryName(fn, index));
  }
}

// ---- shared pieces ------------------------------------------------------------------------------------

/** Declarations of the parameters read by generated code: `const p_name = rt.params["name"];`. */
export class ParamNames {
  readonly decls: string[] = [];
  private readonly names = new Map<string, string>();

  constructor(private readonly ids: IdentifierPool) {}

  of(name: string): string {
    let id = this.names.get(name);
    if (id === undefined) {
      id = this.ids.fresh(`p_${name.replace(/\W/g, "_")}`);
      this.names.set(name, id);
      this.decls.push(`const ${id} = rt.params[${stringLiteral(name)}];`);
    }
    return id;
  }
}

/** A JS expression of the event time in seconds of one bound of an event time, from an output value or a parameter. */
function eventTimeField(at: EventTimeFieldIR, outputValue: (name: string) => string, params: ParamNames): string {
  const raw = at.source === "param" ? params.of(at.name) : outputValue(at.name);
  const seconds = `lib.toSeconds(${raw})`;
  return at.scale === 1 ? seconds : `(${seconds} * ${at.scale})`;
}

/**
 * Statements setting `start` and `stop` (declared by the caller) for the tuple
 * whose fields `outputValue` reads. Without event time, or when the start
 * field is NULL, both are `arrival`: the time the input was received
 * (archival.md §2.3), read once per batch.
 */
function eventTimeStatements(et: EventTimeIR | undefined, outputValue: (name: string) => string, params: ParamNames): string[] {
  if (!et) return ["start = arrival;", "stop = start;"];
  const lines = [`start = ${eventTimeField(et.start, outputValue, params)};`, "if (start !== start) start = arrival;"];
  switch (et.stop.kind) {
    case "none":
      lines.push("stop = start;");
      break;
    case "stop":
      lines.push(`stop = ${eventTimeField(et.stop.at, outputValue, params)};`, "if (stop !== stop) stop = start;");
      break;
    case "duration_field":
      lines.push(`stop = start + ${eventTimeField(et.stop.at, outputValue, params)};`, "if (stop !== stop) stop = start;");
      break;
    case "duration":
      lines.push(`stop = start + ${et.stop.seconds};`);
      break;
  }
  return lines;
}

const STATS_EVENT_TIME = [
  "if (!(start >= stats.minEventTime)) stats.minEventTime = start;",
  "if (!(stop <= stats.maxEventTime)) stats.maxEventTime = stop;",
];

/** Where the leaves of expressions that only read params, env and globals come from. */
function constantLeaves(params: ParamNames): Pick<ExprEnv, "param" | "envVar" | "global"> {
  return {
    param: (name) => params.of(name),
    envVar: (name) => `rt.env(${stringLiteral(name)})`,
    global: (name) => `rt.global(${stringLiteral(name)})`,
  };
}

const RUNTIME_HOOKS: ExprEnv["runtime"] = { now: "rt.now", random: "rt.random", print: "rt.print" };
const EVENT_TIME_HOOKS: ExprEnv["runtime"] = { ...RUNTIME_HOOKS, eventStart: "evStart", eventStop: "evStop" };

function noTupleVariable(variable: TupleVariable): never {
  throw new Error(`internal: ${variable} read where no tuple is defined`);
}

/** An environment for expressions of parameters, env and globals only (READ paths, EVERY, RUN IF). */
export function constantEnv(ids: IdentifierPool, params: ParamNames): ExprEnv {
  return {
    ids,
    ...constantLeaves(params),
    field: (variable) => noTupleVariable(variable),
    whole: (variable) => noTupleVariable(variable),
    state: () => {
      throw new Error("internal: stateful call in a constant expression");
    },
    runtime: { now: "rt.now", random: "rt.random", print: "rt.print" },
  };
}

/** Statements computing `e` into a new const `name`, and the module-level declarations they need. */
function bindExpr(g: GeneratedExpr, name: string): string[] {
  return [...g.statements, `const ${name} = ${g.value};`];
}

/** `code` indented by `depth` levels. */
function indent(lines: readonly string[], depth = 1): string[] {
  const pad = "  ".repeat(depth);
  return lines.flatMap((l) => l.split("\n")).map((l) => (l === "" ? l : pad + l));
}

// ---- READ -------------------------------------------------------------------------------------

function generateRead(fn: FunctionIR, op: ReadIR, name: string): string {
  const ids = new IdentifierPool();
  const params = new ParamNames(ids);
  const hoisted: string[] = [];
  const env = constantEnv(ids, params);
  const expr = (e: TExpr, bound: string): string[] => {
    const g = generateExpr(e, env);
    hoisted.push(...g.hoisted);
    return bindExpr(g, bound);
  };
  const src = op.source;
  const sourceLines: string[] = [];
  if (src.kind === "file") {
    sourceLines.push(...expr(src.path, "path"));
    if (src.preprocess) sourceLines.push(...expr(src.preprocess, "preprocess"));
    if (src.deleteIf) sourceLines.push(...expr(src.deleteIf, "deleteAfter"));
    sourceLines.push(`return { path, ${src.preprocess ? "preprocess, " : ""}deleteAfter: ${src.deleteIf ? "deleteAfter" : "false"} };`);
  } else {
    sourceLines.push(`throw new Error(${stringLiteral(`${fn.name}: Kafka sources are not supported`)});`);
  }
  const fields = fn.output;
  const valueOf = (n: string): string => `row[${fields.findIndex((f) => f.name === n)}]`;
  const appends = fields.map((_, k) => `app_${k}(row[${k}]);`);
  return [
    `function ${name}(rt) {`,
    ...indent([
      "const lib = rt.lib, stats = rt.stats;",
      ...fields.map((_, k) => `const app_${k} = rt.appenders[${k}];`),
      `const app_start = rt.appenders[${fields.length}], app_stop = rt.appenders[${fields.length + 1}];`,
      ...params.decls,
      ...hoisted,
      `const source = (() => {`,
      ...indent(sourceLines),
      "})();",
      "return {",
      ...indent([
        "source,",
        "onRows(rows) {",
        ...indent([
          "const arrival = rt.now();",
          "let start = 0, stop = 0;",
          "for (let i = 0; i < rows.length; i++) {",
          ...indent([
            "const row = rows[i];",
            ...appends,
            ...eventTimeStatements(fn.eventTime, valueOf, params),
            "app_start(start);",
            "app_stop(stop);",
            ...STATS_EVENT_TIME,
            "rt.endRow();",
          ]),
          "}",
          "stats.inTuples += rows.length;",
          "stats.selected += rows.length;",
          "stats.outTuples += rows.length;",
        ]),
        "},",
        "onBatch() { throw new Error('internal: a READ function has no parent'); },",
        "onTick() { throw new Error('internal: a READ function is not ticked'); },",
      ]),
      "};",
    ]),
    "}",
  ].join("\n");
}

function generateListen(fn: FunctionIR, name: string): string {
  const message = `${fn.name}: LISTEN FOR ${(fn.operation as { protocol: string }).protocol} is not supported by this runtime`;
  return [`function ${name}(rt) {`, `  throw new Error(${stringLiteral(message)});`, "}"].join("\n");
}

// ---- aggregates ------------------------------------------------------------------------------------

/** One LOCALLY or GLOBALLY stateful call site and where its state lives. */
interface StateSite {
  readonly call: TCall;
  readonly local: boolean;
  /** inlined templates, with the identifiers of their variables; undefined: generic init/update/finalize */
  readonly inline?: { readonly templates: InlineStateful; readonly vars: ReadonlyMap<string, { id: string; slots: number }> };
  /** generic state: the identifiers of the state (array per group, or a let), functions and ImplCall */
  readonly generic?: { readonly state: string; readonly init: string; readonly update: string; readonly finalize: string; readonly call: string; readonly args: string };
}

const stateKey = (call: TCall): string => (call.state && call.state.lifespan !== "immediately" ? `${call.state.lifespan}:${call.state.slot}` : "");

/** Where `in` is read from. */
type InputMode =
  /** the current row `i` of the batch columns */
  | "columns"
  /** the array `row` (SORT buffers keep whole rows) */
  | "row"
  /** no input (SELECT without FROM) */
  | "none";

/** Where `out` is read from. */
type OutputSource = { readonly kind: "locals" } | { readonly kind: "stored"; readonly group: string };

interface EnvOptions {
  readonly input: InputMode;
  readonly out: OutputSource;
  /** the JS variable of the group number, when the expression has a group */
  readonly group?: string;
  /** fields of the output defined so far (SELECT reads only earlier ones) */
  readonly generatorItems?: ReadonlyMap<TCall, string>;
}

class AggregateGenerator {
  private readonly ids = new IdentifierPool();
  private readonly params = new ParamNames(this.ids);
  /** module-level (factory-level) declarations from expressions */
  private readonly hoisted: string[] = [];
  /** declarations of the factory: states, groups, output locals */
  private readonly decls: string[] = [];
  private readonly sites = new Map<string, StateSite>();
  private readonly input: InputMode;
  /** per-group storage of the current output (see the file's comment) */
  private readonly storeOut: boolean;
  /** groups survive their flush (reset instead of deleted) */
  private readonly keepGroups: boolean;
  private readonly grouped: boolean;
  /** #start/#stop are read by expressions: their hooks read the output fields computed so far */
  private readonly usesEventTime: boolean;
  private readonly hooks: ExprEnv["runtime"];
  /**
   * The output of the current tuple (`o_N`), `start`, `stop` and `arrival` are
   * locals of the loop (unboxed floats) unless code outside of it reads them
   * (the #start/#stop hooks, the SORT buffer's processRow).
   */
  private readonly loopLocals: boolean;
  /** the commit condition split for the group heap, when it has the form `in-side OP out-side` */
  private readonly heapSplit: HeapSplit | undefined;
  /** per-group arrays (name → element constructor), grown together */
  private readonly groupArrays: { name: string; make: (capacity: string) => string }[] = [];

  constructor(
    private readonly fn: FunctionIR,
    private readonly op: AggregateIR,
    private readonly name: string,
  ) {
    this.input = fn.parents.length === 0 ? "none" : op.sort ? "row" : "columns";
    this.storeOut = op.commit.before || (op.commit.whenReadsInput && op.groupBy.length > 0);
    this.grouped = op.groupBy.length > 0;
    this.keepGroups = !this.grouped || op.commit.before || op.usesLocalLastOut;
    // KEEP commits the same groups again at every tuple: only flushed groups leave the heap.
    this.heapSplit = this.storeOut && !op.commit.before && op.commit.flush === "flush" ? heapSplitOf(op.commit.when) : undefined;
    this.usesEventTime = operationExprs(op).some((e) => {
      let found = false;
      walkTExpr(e, (x) => {
        if (x.kind === "call" && (x.fn === "event_start" || x.fn === "event_stop")) found = true;
      });
      return found;
    });
    this.hooks = this.usesEventTime ? EVENT_TIME_HOOKS : RUNTIME_HOOKS;
    this.loopLocals = !this.usesEventTime && !op.sort;
  }

  // ---- expressions ----

  private env(o: EnvOptions): ExprEnv {
    return {
      ids: this.ids,
      ...constantLeaves(this.params),
      field: (variable, index, type, name) => this.field(o, variable, index, type, name),
      whole: (variable) => this.whole(o, variable),
      state: (call) => this.stateValue(call, o.group),
      runtime: this.hooks,
      generatorItem: (call) => {
        const item = o.generatorItems?.get(call);
        if (item === undefined) throw new Error("internal: generator outside of an emission");
        return item;
      },
    };
  }

  private expr(e: TExpr, o: EnvOptions): GeneratedExpr {
    const g = generateExpr(e, this.env(o));
    this.hoisted.push(...g.hoisted);
    return g;
  }

  private hoist(hint: string, init: string): string {
    const id = this.ids.fresh(hint);
    this.hoisted.push(`const ${id} = ${init};`);
    return id;
  }

  private inputField(mode: InputMode, index: number, type: NType): string {
    switch (mode) {
      case "none":
        throw new Error("internal: `in` read by a function without input");
      case "row":
        return `row[${index}]`;
      case "columns": {
        const kind = columnKind(type);
        if (kind === "other") return `get_${index}(i)`;
        if (!type.nullable) return `col_${index}[i]`;
        return `(nulls_${index} !== null && (nulls_${index}[(offset_${index} + i) >> 3] & (1 << ((offset_${index} + i) & 7))) === 0 ? null : col_${index}[i])`;
      }
    }
  }

  private field(o: EnvOptions, variable: TupleVariable, index: number, type: NType, name: string): string {
    switch (variable) {
      case "in":
        return this.inputField(o.input, index, type);
      case "out":
        return o.out.kind === "locals" ? `o_${index}` : `out_${index}[${o.out.group}]`;
      case "local_last_out":
        return `(hasLast[${this.group(o)}] === 1 ? last_${index}[${this.group(o)}] : null)`;
      case "global_last_out":
        return `(hasGlobalLast ? globalLast_${index} : null)`;
      case "group_state":
        if (name !== "#count") throw new Error(`internal: group_state.${name}`);
        return `size[${this.group(o)}]`;
      case "sort_first":
      case "sort_smallest":
      case "sort_greatest":
        return name === "#count" ? "sortBuffer.length" : `${variable}[${index}]`;
    }
  }

  private whole(o: EnvOptions, variable: TupleVariable): string {
    switch (variable) {
      case "in":
        return `[${this.fn.input.map((f, k) => this.inputField(o.input, k, f.type)).join(", ")}]`;
      case "out":
        return `[${this.fn.output.map((_, k) => this.field(o, "out", k, this.fn.output[k]!.type, this.fn.output[k]!.name)).join(", ")}]`;
      case "local_last_out":
      case "global_last_out":
        return `(${variable === "local_last_out" ? `hasLast[${this.group(o)}] === 1` : "hasGlobalLast"} ? [${this.fn.output
          .map((f, k) => this.field(o, variable, k, f.type, f.name))
          .join(", ")}] : null)`;
      default:
        return `[${this.fn.input.map((_, k) => `${variable}[${k}]`).join(", ")}]`;
    }
  }

  private group(o: EnvOptions): string {
    if (o.group === undefined) throw new Error("internal: group variable read outside of a group");
    return o.group;
  }

  // ---- states ----

  /** Every LOCALLY/GLOBALLY stateful call of `e`, inner calls first. */
  private statefulCalls(e: TExpr): TCall[] {
    const calls: TCall[] = [];
    const visit = (x: TExpr): void => {
      if (x.kind === "call") {
        for (const a of x.args) if (a) visit(a);
        if (stateKey(x) !== "") calls.push(x);
        return;
      }
      for (const c of childTExprs(x)) visit(c);
    };
    visit(e);
    return calls;
  }

  private site(call: TCall): StateSite {
    const key = stateKey(call);
    let site = this.sites.get(key);
    if (site) return site;
    const local = call.state?.lifespan === "locally";
    const entry = entryOf(call.fn);
    if (!entry || entry.impl.kind !== "stateful") throw new Error(`internal: ${call.fn} is not stateful`);
    const facts = implCall(call);
    const templates = entry.impl.inline?.(facts);
    if (templates) {
      const vars = new Map<string, { id: string; slots: number }>();
      for (const v of templates.vars) {
        const id = this.ids.fresh(`${local ? "ls" : "gs"}_${call.fn}_${v.name}`);
        const slots = v.slots ?? 1;
        vars.set(v.name, { id, slots });
        const array = typedArrayOf(v.storage);
        if (local) this.groupArray(id, (cap) => `new ${array}(${cap} * ${slots})`);
        else if (v.slots !== undefined) this.decls.push(`const ${id} = new ${array}(${slots});`);
        else this.decls.push(`let ${id} = ${v.storage === "i64" || v.storage === "u64" ? "0n" : "0"};`);
      }
      site = { call, local, inline: { templates, vars } };
    } else {
      const fnName = stringLiteral(entry.name);
      const init = this.hoist("init", `entryOf(${fnName}).impl.init`);
      const update = this.hoist("update", `entryOf(${fnName}).impl.update`);
      const finalize = this.hoist("finalize", `entryOf(${fnName}).impl.finalize`);
      const callId = this.hoist("call", implCallLiteral(facts, this.hooks));
      const args = this.hoist("args", `[${call.args.map(() => "null").join(", ")}]`);
      const state = this.ids.fresh(`${local ? "ls" : "gs"}_${call.fn}`);
      if (local) this.groupArray(state, (cap) => `new Array(${cap})`);
      else this.decls.push(`let ${state} = ${init}(${callId});`);
      site = { call, local, generic: { state, init, update, finalize, call: callId, args } };
    }
    this.sites.set(key, site);
    return site;
  }

  private refs(site: StateSite, group: string | undefined): InlineRefs {
    const vars = site.inline!.vars;
    const v = (name: string) => {
      const found = vars.get(name);
      if (!found) throw new Error(`internal: no state variable ${name}`);
      return found;
    };
    return {
      scalar: (name) => (site.local ? `${v(name).id}[${group}]` : v(name).id),
      slot: (name, index) => {
        const { id, slots } = v(name);
        return site.local ? `${id}[${group} * ${slots} + (${index})]` : `${id}[${index}]`;
      },
      fresh: (hint) => this.ids.fresh(hint),
    };
  }

  private stateValue(call: TCall, group: string | undefined): string {
    const site = this.site(call);
    if (site.local && group === undefined) throw new Error("internal: local state read outside of a group");
    if (site.inline) {
      const refs = this.refs(site, group);
      const value = site.inline.templates.value(refs);
      const isNull = site.inline.templates.isNull?.(refs);
      return isNull === undefined ? `(${value})` : `(${isNull} ? null : ${value})`;
    }
    const s = site.generic!;
    return `${s.finalize}(${site.local ? `${s.state}[${group}]` : s.state}, ${s.call})`;
  }

  /** Statements (re)initialising a state. */
  private stateInit(site: StateSite, group: string): string[] {
    if (site.inline) return [`{ ${site.inline.templates.init(this.refs(site, group))} }`];
    const s = site.generic!;
    return [`${site.local ? `${s.state}[${group}]` : s.state} = ${s.init}(${s.call});`];
  }

  /** Statements feeding the current tuple to the state of `call`. */
  private stateUpdate(call: TCall, o: EnvOptions): string[] {
    const site = this.site(call);
    const lines: string[] = [];
    const args = call.args.map((a, i) => {
      if (a === null) return "null";
      const g = this.expr(a, o);
      const id = this.ids.fresh(`arg${i}`);
      lines.push(...bindExpr(g, id));
      return id;
    });
    // SKIP NULLS: a NULL in a non-constant argument leaves the state alone (raql.md §4.10).
    const skips = call.state?.nulls !== "keep" ? call.args.map((a, i) => (a && a.type.nullable && a.kind !== "const" ? `${args[i]} !== null` : "")).filter((t) => t !== "") : [];
    let update: string;
    if (site.inline) {
      update = `{ ${site.inline.templates.update(this.refs(site, o.group), args)} }`;
    } else {
      const s = site.generic!;
      const state = site.local ? `${s.state}[${o.group}]` : s.state;
      update = [...args.map((a, i) => `${s.args}[${i}] = ${a};`), `${state} = ${s.update}(${state}, ${s.args}, ${s.call});`].join("\n");
    }
    lines.push(skips.length === 0 ? update : `if (${skips.join(" && ")}) {\n${indent([update]).join("\n")}\n}`);
    return lines;
  }

  private groupArray(name: string, make: (capacity: string) => string): void {
    this.groupArrays.push({ name, make });
  }

  // ---- clauses ----

  /** Statements updating the states of `e` (LOCALLY ones only when `globals` is false), in order. */
  private updates(e: TExpr, o: EnvOptions, globals: boolean): string[] {
    return this.statefulCalls(e)
      .filter((c) => globals || this.site(c).local)
      .flatMap((c) => this.stateUpdate(c, o));
  }

  /** Statements of step 5: states fed, output fields computed into `o_N` (generators excepted). */
  private aggregate(o: EnvOptions, globals: boolean): string[] {
    const lines: string[] = [];
    this.op.select.forEach((f, k) => {
      lines.push(...this.updates(f.expr, o, globals));
      if (this.fn.output[k]!.generated) return;
      const g = this.expr(f.expr, o);
      lines.push(...g.statements, `o_${k} = ${g.value};`);
    });
    lines.push(...this.updates(this.op.commit.when, o, globals));
    return lines;
  }

  /** Statements computing the commit condition into a new const; returns [statements, name]. */
  private condition(o: EnvOptions): [string[], string] {
    const g = this.expr(this.op.commit.when, o);
    const id = this.ids.fresh("commit");
    return [bindExpr(g, id), id];
  }

  /** Statements emitting the output whose field k is `value(k)`, for the group `group`. */
  private emission(o: EnvOptions, value: (k: number) => string): string[] {
    const fields = this.fn.output;
    const generatorCalls: TCall[] = [];
    this.op.select.forEach((f, k) => {
      if (!fields[k]!.generated) return;
      walkTExpr(f.expr, (x) => {
        if (x.kind === "call" && x.generator) generatorCalls.push(x);
      });
    });
    const items = new Map<TCall, string>();
    const lines: string[] = [];
    const opened: string[] = [];
    for (const call of generatorCalls) {
      const entry = entryOf(call.fn);
      if (!entry || entry.impl.kind !== "generator") throw new Error(`internal: ${call.fn} is not a generator`);
      const generate = this.hoist("generate", `entryOf(${stringLiteral(entry.name)}).impl.generate`);
      const callId = this.hoist("call", implCallLiteral(implCall(call), this.hooks));
      const args = call.args.map((a) => {
        if (a === null) return "null";
        const g = this.expr(a, { ...o, generatorItems: items });
        const id = this.ids.fresh("genarg");
        lines.push(...bindExpr(g, id));
        return id;
      });
      // A NULL argument generates nothing.
      const nullable = call.args.map((a, i) => (a?.type.nullable ? `${args[i]} === null ? [] : ` : "")).join("");
      const list = this.ids.fresh("generated");
      lines.push(`const ${list} = ${nullable}Array.from(${generate}([${args.join(", ")}], ${callId}));`);
      const item = this.ids.fresh("item");
      items.set(call, item);
      lines.push(`for (const ${item} of ${list}) {`);
      opened.push("}");
    }
    const values = fields.map((f, k) => {
      if (!f.generated) return value(k);
      const g = this.expr(this.op.select[k]!.expr, { ...o, generatorItems: items });
      const id = this.ids.fresh(`field${k}`);
      lines.push(...bindExpr(g, id));
      return id;
    });
    const byName = (n: string): string => values[fields.findIndex((f) => f.name === n)]!;
    lines.push(
      ...values.map((v, k) => `app_${k}(${v});`),
      ...eventTimeStatements(this.fn.eventTime, byName, this.params),
      "app_start(start);",
      "app_stop(stop);",
      ...STATS_EVENT_TIME,
      "rt.endRow();",
      "stats.outTuples++;",
    );
    for (const n of this.op.commit.notifications) {
      const g = this.expr(n, o);
      lines.push(...g.statements, `rt.notify(${g.value}, [${values.join(", ")}], start, stop);`);
    }
    lines.push(...opened);
    // Previous outputs remember the last emitted tuple (generated fields cannot be read back).
    const group = o.group!;
    fields.forEach((f, k) => {
      if (f.generated) return;
      if (this.op.usesLocalLastOut) lines.push(`last_${k}[${group}] = ${value(k)};`);
      if (this.op.usesGlobalLastOut) lines.push(`globalLast_${k} = ${value(k)};`);
    });
    if (this.op.usesLocalLastOut) lines.push(`hasLast[${group}] = 1;`);
    if (this.op.usesGlobalLastOut) lines.push("hasGlobalLast = true;");
    return lines;
  }

  /** Statements of step 7 for `group` after a commit. */
  private flush(group: string): string[] {
    if (this.op.commit.flush !== "flush") return [];
    return [`flushGroup(${group});`];
  }

  /** The per-tuple body (steps 2 to 8) given where `in` is read; `skip` leaves the tuple. */
  private body(input: InputMode, skip: string): string[] {
    const op = this.op;
    const lines: string[] = [];
    const noGroup: EnvOptions = { input, out: { kind: "locals" } };
    // 2. fast WHERE
    for (const w of op.where.fast) {
      lines.push(...this.updates(w, noGroup, true));
      const [stmts, id] = this.bindWhere(w, noGroup);
      lines.push(...stmts, `if (!${id}) { stats.filtered++; ${skip} }`);
    }
    // 3. the group
    lines.push("let isNew = false;");
    if (this.grouped) {
      const keys = op.groupBy.map((k) => this.expr(k, noGroup));
      keys.forEach((k) => lines.push(...k.statements));
      lines.push(...this.groupLookup(keys.map((k) => k.value)));
    } else {
      lines.push("const g = 0;");
    }
    const inGroup: EnvOptions = { input, out: { kind: "locals" }, group: "g" };
    // 4. slow WHERE
    for (const w of op.where.slow) {
      lines.push(...this.updates(w, inGroup, true));
      const [stmts, id] = this.bindWhere(w, inGroup);
      lines.push(...stmts, `if (!${id}) { if (isNew) dropGroup(g); stats.filtered++; ${skip} }`);
    }
    lines.push("stats.selected++;");
    // 5–7. aggregate, commit check, flush
    const split = this.heapSplit;
    if (op.commit.before) {
      lines.push("const hadContent = size[g] > 0;", "size[g]++;", ...this.aggregate(inGroup, true));
      const [stmts, c] = this.condition(inGroup);
      lines.push(...stmts, `if (${c} && hadContent) {`);
      lines.push(
        ...indent([
          ...this.emission({ input, out: { kind: "stored", group: "g" }, group: "g" }, (k) => `out_${k}[g]`),
          ...(op.commit.flush === "flush" ? ["resetGroup(g);", "size[g]++;", ...this.aggregate(inGroup, false)] : []),
        ]),
        "}",
      );
      lines.push(...this.storeOutput("g"));
    } else {
      lines.push("size[g]++;", ...this.aggregate(inGroup, true), ...this.storeOutput("g"));
      if (split) {
        const key = this.expr(split.outSide, { input, out: { kind: "stored", group: "g" }, group: "g" });
        lines.push(...key.statements, `heap.set(g, ${key.value});`);
      }
      const [stmts, c] = this.condition(inGroup);
      lines.push(...stmts, `if (${c}) {`, ...indent([...this.emission(inGroup, (k) => `o_${k}`), ...this.flush("g")]), "}");
    }
    // 8. other groups, when the condition reads `in`
    if (split) {
      // Groups come out of the heap by their out-side value; the first one that does not commit ends the search.
      const inSide = this.expr(split.inSide, noGroup);
      const other: EnvOptions = { input, out: { kind: "stored", group: "h" }, group: "h" };
      lines.push(
        ...bindExpr(inSide, "inKey"),
        "while (heap.size > 0) {",
        ...indent([
          "const h = heap.top();",
          `if (h === g || !(inKey ${JS_COMPARISONS[split.op]} heap.topKey())) break;`,
          ...this.emission(other, (k) => `out_${k}[h]`),
          ...this.flush("h"),
        ]),
        "}",
      );
    } else if (op.commit.whenReadsInput && this.grouped) {
      const other: EnvOptions = { input, out: { kind: "stored", group: "h" }, group: "h" };
      const [stmts, c] = this.condition(other);
      lines.push(
        "for (let h = 0; h < groupCount; h++) {",
        ...indent([
          "if (alive[h] === 0 || h === g || size[h] === 0) continue;",
          ...stmts,
          `if (${c}) {`,
          ...indent([...this.emission(other, (k) => `out_${k}[h]`), ...this.flush("h")]),
          "}",
        ]),
        "}",
      );
    }
    return lines;
  }

  /**
   * Statements finding (or creating) the group `g` of the key values: a Map
   * from the key itself for scalar keys, nested per key part when there are
   * several (no key object or string per tuple), else from a string made of
   * the parts. `keys[g]` remembers the path, for dropGroup.
   */
  private groupLookup(values: readonly string[]): string[] {
    if (this.numericKeys) {
      return [
        ...values.map((v, i) => `probe[${i}] = ${v};`),
        "let g = table.find();",
        "if (g < 0) { g = newGroup(); table.insert(g); isNew = true; }",
      ];
    }
    const scalar = this.op.groupBy.every((k) => isScalarKey(k.type));
    if (!scalar || values.length === 1) {
      const key = scalar ? values[0]! : values.map((v) => `lib.keyPart(${v})`).join(' + "|" + ');
      return [`const key = ${key};`, "let g = groups.get(key);", "if (g === undefined) { g = newGroup(); groups.set(key, g); keys[g] = key; isNew = true; }"];
    }
    const lines = values.map((v, i) => `const key_${i} = ${v};`);
    let map = "groups";
    for (let i = 0; i < values.length - 1; i++) {
      const inner = `level_${i + 1}`;
      lines.push(`let ${inner} = ${map}.get(key_${i});`, `if (${inner} === undefined) { ${inner} = new Map(); ${map}.set(key_${i}, ${inner}); emptyMaps++; }`);
      map = inner;
    }
    const last = values.length - 1;
    lines.push(
      `let g = ${map}.get(key_${last});`,
      `if (g === undefined) { if (${map}.size === 0) emptyMaps--; g = newGroup(); ${map}.set(key_${last}, g); ${values.map((_, i) => `keys_${i}[g] = key_${i};`).join(" ")} isNew = true; }`,
    );
    return lines;
  }

  /** Whether groups are found through a GroupTable: every key part is a non-nullable JS number. */
  private get numericKeys(): boolean {
    return this.grouped && this.op.groupBy.every((k) => !k.type.nullable && columnKind(k.type) === "number");
  }

  /** Whether groups are found through nested maps, one level per key part. */
  private get nestedKeys(): boolean {
    return !this.numericKeys && this.op.groupBy.length > 1 && this.op.groupBy.every((k) => isScalarKey(k.type));
  }

  /**
   * Statements removing group `g` from the group maps. Nested maps left empty
   * are kept for the next group with the same key prefix (time windows empty
   * them all at once); `emptyMaps` counts them, and they are swept when they
   * are many and outnumber the groups.
   */
  private groupRemoval(): string[] {
    const n = this.op.groupBy.length;
    if (this.numericKeys) return ["table.remove(g);"];
    if (!this.nestedKeys) return ["groups.delete(keys[g]);", "keys[g] = undefined;"];
    let map = "groups";
    for (let i = 0; i < n - 1; i++) map = `${map}.get(keys_${i}[g])`;
    return [
      `const inner = ${map};`,
      `inner.delete(keys_${n - 1}[g]);`,
      ...Array.from({ length: n }, (_, i) => `keys_${i}[g] = undefined;`),
      "if (inner.size === 0 && ++emptyMaps > 65536 && emptyMaps > 4 * (groupCount - free.length)) {",
      "  lib.sweepEmptyMaps(groups);",
      "  emptyMaps = 0;",
      "}",
    ];
  }

  private bindWhere(w: TExpr, o: EnvOptions): [string[], string] {
    const g = this.expr(w, o);
    const id = this.ids.fresh("where");
    return [bindExpr(g, id), id];
  }

  private storeOutput(group: string): string[] {
    if (!this.storeOut) return [];
    return this.fn.output.flatMap((f, k) => (f.generated ? [] : [`out_${k}[${group}] = o_${k};`]));
  }

  /** The try/catch around one tuple's processing: a failed cast skips the tuple (raql.md §5.3). */
  private guarded(body: readonly string[]): string[] {
    return ["try {", ...indent(body), "} catch (e) {", "  if (!(e instanceof lib.CastFailure)) throw e;", "  stats.errors++;", "  rt.tupleError(e);", "}"];
  }

  /** The statements reading the columns of `batch` (the function's input fields) before the loop. */
  private columnPrologue(): string[] {
    return this.fn.input.flatMap((f, k) => {
      const kind = columnKind(f.type);
      const data = `batch.data.children[${k}]`;
      if (kind === "other") return [`const get_${k} = lib.columnReaderOf(${this.hoist("type", dataLiteral(f.type))}, ${data}).get;`];
      const lines = [`const col_${k} = ${data}.values;`];
      if (f.type.nullable) lines.push(`const nulls_${k} = ${data}.nullCount > 0 ? ${data}.nullBitmap : null;`, `const offset_${k} = ${data}.offset;`);
      return lines;
    });
  }

  /** The SORT step: the batch's rows enter the buffer, each insertion may release one row to `processRow`. */
  private sortLoop(): string[] {
    const sort = this.op.sort!;
    const rowEnv: EnvOptions = { input: "row", out: { kind: "locals" } };
    const keyLines: string[] = [];
    const keys = sort.by.map((k) => {
      const g = this.expr(k, rowEnv);
      keyLines.push(...g.statements);
      return g.value;
    });
    const lines = [
      "for (let i = 0; i < n; i++) {",
      ...indent([
        `const row = [${this.fn.input.map((f, k) => this.inputField("columns", k, f.type)).join(", ")}];`,
        ...keyLines,
        `sortBuffer.push({ row, key: [${keys.join(", ")}] });`,
      ]),
    ];
    let release = `sortBuffer.length >= ${sort.last}`;
    if (sort.until) {
      const untilEnv: EnvOptions = { input: "none", out: { kind: "locals" } };
      const g = this.expr(sort.until, untilEnv);
      lines.push(
        ...indent([
          "const sort_first = sortBuffer[0].row;",
          "const sort_smallest = sortBuffer[sortExtreme(-1)].row;",
          "const sort_greatest = sortBuffer[sortExtreme(1)].row;",
          ...g.statements,
        ]),
      );
      release = `${release} || ${g.value}`;
    }
    lines.push(...indent([`if (${release}) processRow(sortBuffer.splice(sortExtreme(-1), 1)[0].row);`]), "}");
    return lines;
  }

  generate(): string {
    const op = this.op;
    const fields = this.fn.output;
    // The body first: generating it declares the states, hoisted constants and parameters.
    const loopInput: InputMode = this.input === "row" ? "row" : this.input;
    const body = this.guarded(this.body(loopInput, this.input === "row" ? "return;" : this.input === "none" ? "return;" : "continue;"));
    const inits = [...this.sites.values()].filter((s) => s.local).flatMap((s) => this.stateInit(s, "g"));
    const globalInits = [...this.sites.values()].filter((s) => !s.local && s.inline).flatMap((s) => this.stateInit(s, "g"));
    const sortLines = op.sort ? this.sortLoop() : [];
    const tupleLocals = ["let start = 0, stop = 0;", `let ${fields.map((_, k) => `o_${k} = null`).join(", ")};`];
    const onBatch =
      this.input === "none"
        ? ["onBatch() { throw new Error('internal: a function without FROM gets no batch'); },"]
        : [
            "onBatch(batch) {",
            ...indent([
              ...(this.loopLocals ? ["const arrival = rt.now();", ...tupleLocals] : ["arrival = rt.now();"]),
              "const n = batch.numRows;",
              "stats.inTuples += n;",
              ...this.columnPrologue(),
              ...(op.sort ? sortLines : ["for (let i = 0; i < n; i++) {", ...indent(body), "}"]),
              "stats.groups = groupCount - free.length;",
              "if (stats.groups > stats.maxGroups) stats.maxGroups = stats.groups;",
            ]),
            "},",
          ];
    const onTick =
      this.input === "none"
        ? ["onTick() {", ...indent([...(this.loopLocals ? ["const arrival = rt.now();", ...tupleLocals] : ["arrival = rt.now();"]), "stats.inTuples++;", ...body, "stats.groups = groupCount - free.length;", "if (stats.groups > stats.maxGroups) stats.maxGroups = stats.groups;"]), "},"]
        : ["onTick() { throw new Error('internal: a function with FROM is not ticked'); },"];
    let period: string[] = [];
    if (op.every) {
      const g = generateExpr(op.every, constantEnv(this.ids, this.params));
      this.hoisted.push(...g.hoisted);
      period = ["const period = (() => {", ...indent([...g.statements, `return lib.toSeconds(${g.value});`]), "})();"];
    }
    // Per-group storage: sizes, outputs, last outputs, local states.
    this.groupArray("size", (cap) => `new Uint32Array(${cap})`);
    // Non-nullable numbers are stored unboxed.
    const storage = (f: OutputField): ((cap: string) => string) => {
      const st = f.type.nullable ? undefined : storageOf(f.type);
      return st && st !== "bool" ? (cap) => `new ${typedArrayOf(st)}(${cap})` : (cap) => `new Array(${cap})`;
    };
    if (this.storeOut) fields.forEach((f, k) => !f.generated && this.groupArray(`out_${k}`, storage(f)));
    if (op.usesLocalLastOut) {
      this.groupArray("hasLast", (cap) => `new Uint8Array(${cap})`);
      fields.forEach((f, k) => !f.generated && this.groupArray(`last_${k}`, (cap) => `new Array(${cap})`));
    }
    if (this.nestedKeys) this.op.groupBy.forEach((_, i) => this.groupArray(`keys_${i}`, (cap) => `new Array(${cap})`));
    else if (this.grouped && !this.numericKeys) this.groupArray("keys", (cap) => `new Array(${cap})`);
    if (this.grouped) this.groupArray("alive", (cap) => `new Uint8Array(${cap})`);
    const growLines = this.groupArrays.map((a) => {
      const fresh = a.make("capacity");
      return fresh.startsWith("new Array") ? `${a.name}.length = capacity;` : `{ const grown = ${fresh}; grown.set(${a.name}); ${a.name} = grown; }`;
    });
    const outputByName = (n: string): string => `o_${fields.findIndex((f) => f.name === n)}`;
    const eventHooks = this.usesEventTime
      ? [
          // #start/#stop in SELECT read the output fields computed so far (raql.md §6.10).
          "function evStart() {",
          ...indent(["let start = 0, stop = 0;", ...eventTimeStatements(this.fn.eventTime, outputByName, this.params), "return start;"]),
          "}",
          "function evStop() {",
          ...indent(["let start = 0, stop = 0;", ...eventTimeStatements(this.fn.eventTime, outputByName, this.params), "return stop;"]),
          "}",
        ]
      : [];
    const lines = [
      `function ${this.name}(rt) {`,
      ...indent([
        "const lib = rt.lib, stats = rt.stats, entryOf = lib.entryOf, castValue = lib.castValue;",
        ...fields.map((_, k) => `const app_${k} = rt.appenders[${k}];`),
        `const app_start = rt.appenders[${fields.length}], app_stop = rt.appenders[${fields.length + 1}];`,
        ...this.params.decls,
        ...(this.loopLocals ? [] : ["let arrival = 0;", ...tupleLocals]),
        ...eventHooks,
        ...this.hoisted,
        ...this.decls,
        ...globalInits,
        ...(op.usesGlobalLastOut ? ["let hasGlobalLast = false;", ...fields.map((_, k) => `let globalLast_${k} = null;`)] : []),
        ...(op.sort ? ["const sortBuffer = [];", ...sortExtremeFunction()] : []),
        "let capacity = 16, groupCount = 0;",
        "const free = [];",
        ...(this.numericKeys
          ? [`const table = new lib.GroupTable(${op.groupBy.length}), probe = table.probe;`]
          : this.grouped
            ? ["const groups = new Map();"]
            : []),
        ...(this.nestedKeys ? ["let emptyMaps = 0;"] : []),
        ...this.groupArrays.map((a) => `let ${a.name} = ${a.make("capacity")};`),
        "function resetGroup(g) {",
        ...indent([...inits, "size[g] = 0;"]),
        "}",
        "function newGroup() {",
        ...indent([
          "const g = free.length > 0 ? free.pop() : groupCount++;",
          "if (g >= capacity) {",
          ...indent(["capacity *= 2;", ...growLines]),
          "}",
          "resetGroup(g);",
          ...(this.grouped ? ["alive[g] = 1;"] : []),
          ...(op.usesLocalLastOut ? ["hasLast[g] = 0;"] : []),
          "return g;",
        ]),
        "}",
        ...(this.heapSplit
          ? [`const heap = new lib.GroupHeap(${this.heapSplit.op === "gt" || this.heapSplit.op === "ge" ? 1 : -1}, ${columnKind(this.heapSplit.outSide.type) === "number"});`]
          : []),
        "function dropGroup(g) {",
        ...indent([
          ...(this.grouped ? [...this.groupRemoval(), "alive[g] = 0;", "free.push(g);"] : ["size[g] = 0;"]),
          ...(this.heapSplit ? ["heap.remove(g);"] : []),
        ]),
        "}",
        "function flushGroup(g) {",
        ...indent([this.keepGroups ? "resetGroup(g);" : "dropGroup(g);", ...(this.heapSplit && this.keepGroups ? ["heap.remove(g);"] : [])]),
        "}",
        ...(this.grouped ? [] : ["newGroup();"]),
        ...period,
        ...(op.sort ? ["function processRow(row) {", ...indent(body), "}"] : []),
        "return {",
        ...indent([...(op.every ? ["period,"] : []), ...onBatch, ...onTick, "onRows() { throw new Error('internal: an aggregate gets no rows'); },"]),
        "};",
      ]),
      "}",
    ];
    return lines.join("\n");
  }
}

/** Every expression of an aggregate operation. */
function operationExprs(op: AggregateIR): TExpr[] {
  return [
    ...op.select.map((f) => f.expr),
    ...op.where.fast,
    ...op.where.slow,
    ...op.groupBy,
    op.commit.when,
    ...op.commit.notifications,
    ...(op.sort ? [...op.sort.by, ...(op.sort.until ? [op.sort.until] : [])] : []),
    ...(op.every ? [op.every] : []),
  ];
}

type Comparison = "gt" | "ge" | "lt" | "le";

/** A commit condition `inSide OP outSide` (operands swapped if written the other way round). */
interface HeapSplit {
  readonly inSide: TExpr;
  readonly outSide: TExpr;
  readonly op: Comparison;
}

const JS_COMPARISONS: Record<Comparison, string> = { gt: ">", ge: ">=", lt: "<", le: "<=" };
const FLIPPED: Record<Comparison, Comparison> = { gt: "lt", ge: "le", lt: "gt", le: "ge" };

/** Which tuple the expression reads: only `in`, only `out`, neither, or something else (states, previous…). */
function sideOf(e: TExpr): "in" | "out" | "none" | "mixed" {
  let side: "in" | "out" | "none" | "mixed" = "none";
  walkTExpr(e, (x) => {
    let here: "in" | "out" | "mixed" | undefined;
    if (x.kind === "field" || x.kind === "whole") here = x.variable === "in" ? "in" : x.variable === "out" ? "out" : "mixed";
    else if (x.kind === "call" && (x.state !== undefined || x.generator)) here = "mixed";
    if (here === undefined || here === side) return;
    side = side === "none" ? here : "mixed";
  });
  return side;
}

/** The split of a condition comparing an `in` expression with an `out` one, both ordered like JS values. */
function heapSplitOf(when: TExpr): HeapSplit | undefined {
  if (when.kind !== "call" || !(when.fn in JS_COMPARISONS)) return undefined;
  const [a, b] = when.args;
  if (!a || !b || !isOrderedAsJs(a.type)) return undefined;
  const op = when.fn as Comparison;
  const sa = sideOf(a);
  const sb = sideOf(b);
  if (sa === "in" && sb === "out") return { inSide: a, outSide: b, op };
  if (sa === "out" && sb === "in") return { inSide: b, outSide: a, op: FLIPPED[op] };
  return undefined;
}

/** Types whose non-null values JS's `<` orders as RaQL does. */
function isOrderedAsJs(t: NType): boolean {
  const tag = t.type.tag;
  return !t.nullable && (tag === "int" || tag === "float" || tag === "string" || tag === "char" || tag === "ip4");
}

function sortExtremeFunction(): string[] {
  return [
    "/** The index of the smallest (sign -1) or greatest (sign 1) sort key of the buffer; the oldest among equals. */",
    "function sortExtreme(sign) {",
    "  let best = 0;",
    "  for (let j = 1; j < sortBuffer.length; j++) {",
    "    if (lib.compareValues(sortBuffer[j].key, sortBuffer[best].key) * sign > 0) best = j;",
    "  }",
    "  return best;",
    "}",
  ];
}

/** How a column of type t is read: straight from a typed array, or through a reader. */
function columnKind(t: NType): "number" | "bigint" | "other" {
  const type = t.type;
  switch (type.tag) {
    case "int":
      return type.width <= 32 ? "number" : type.width <= 64 ? "bigint" : "other";
    case "float":
    case "char":
    case "ip4":
      return "number";
    default:
      return "other";
  }
}

/** Whether values of type t can be Map keys as they are (equal values are the same JS primitive). */
function isScalarKey(t: NType): boolean {
  switch (t.type.tag) {
    case "int":
    case "float":
    case "string":
    case "bool":
    case "char":
    case "ip4":
    case "ip6":
    case "eth":
      return true;
    default:
      return false;
  }
}
