// The "program description" of a compiled program (cli-runtime.md §6.1):
// what `ramen compile` stores next to the code and `ramen info` prints —
// parameters, running condition, and per function its parents and field
// masks, output type, event time, factors, retention and laziness.

import { ntypeToString } from "../grammar/types.js";
import { unitsToString } from "../grammar/units.js";
import type { DurationIR, EventTimeFieldIR, EventTimeIR, FunctionIR, ProgramIR, ValueJson } from "./ir.js";

export interface ParameterDescription {
  readonly name: string;
  /** RaQL type, e.g. `u32`, `string?` */
  readonly type: string;
  /** `{seconds}` */
  readonly units?: string;
  /** decode with valueFromJson and the parameter's type */
  readonly default: ValueJson;
  readonly value: ValueJson;
  readonly doc: string;
}

export interface ParentDescription {
  /** `program/function` */
  readonly fq: string;
  readonly program: string;
  readonly function: string;
  /** `this` or a site glob, when the parent is restricted to some sites */
  readonly site?: string;
  /** one '0'/'1' per output field of the parent */
  readonly fieldMask: string;
  /** the parent's fields this function reads */
  readonly fields: readonly string[];
}

export interface FieldDescription {
  readonly name: string;
  readonly type: string;
  readonly units?: string;
  readonly doc: string;
  readonly aggregate?: string;
  readonly private: boolean;
}

export interface FunctionDescription {
  readonly name: string;
  readonly doc: string;
  readonly kind: "aggregate" | "read" | "listen";
  readonly parents: readonly ParentDescription[];
  readonly output: readonly FieldDescription[];
  /** as an EVENT clause: `EVENT STARTING AT start AND STOPPING AT stop` */
  readonly eventTime?: string;
  readonly factors: readonly string[];
  /** `PERSIST FOR 3600s QUERYING EVERY 60s`; a parameter is named by its name */
  readonly retention?: string;
  readonly bestAfter?: string;
  readonly lazy: boolean;
  /** the operation in canonical RaQL */
  readonly operation: string;
}

export interface ProgramDescription {
  readonly name: string;
  readonly parameters: readonly ParameterDescription[];
  readonly runningCondition?: string;
  readonly functions: readonly FunctionDescription[];
}

function durationText(d: DurationIR): string {
  return d.kind === "param" ? d.name : `${d.seconds}s`;
}

function timeFieldText(f: EventTimeFieldIR): string {
  return f.name + (f.scale === 1 ? "" : ` * ${f.scale}`);
}

export function eventTimeText(e: EventTimeIR): string {
  const start = `EVENT STARTING AT ${timeFieldText(e.start)}`;
  switch (e.stop.kind) {
    case "none":
      return start;
    case "stop":
      return `${start} AND STOPPING AT ${timeFieldText(e.stop.at)}`;
    case "duration_field":
      return `${start} WITH DURATION ${timeFieldText(e.stop.at)}`;
    case "duration":
      return `${start} WITH DURATION ${e.stop.seconds}s`;
  }
}

function describeFunction(f: FunctionIR): FunctionDescription {
  return {
    name: f.name,
    doc: f.doc,
    kind: f.operation.kind,
    // Every parent sends the same fields: those the function reads.
    parents: f.parents.map((p) => ({
      fq: p.fq,
      program: p.program,
      function: p.function,
      ...(p.site ? { site: p.site.kind === "this" ? "this" : p.site.pattern } : {}),
      fieldMask: p.fieldMask,
      fields: f.input.map((x) => x.name),
    })),
    output: f.output.map((o) => ({
      name: o.name,
      type: ntypeToString(o.type),
      ...(o.units ? { units: unitsToString(o.units) } : {}),
      doc: o.doc,
      ...(o.aggregate ? { aggregate: o.aggregate } : {}),
      private: o.private,
    })),
    ...(f.eventTime ? { eventTime: eventTimeText(f.eventTime) } : {}),
    factors: f.factors,
    ...(f.retention
      ? {
          retention:
            `PERSIST FOR ${durationText(f.retention.duration)}` +
            (f.retention.queryPeriod ? ` QUERYING EVERY ${durationText(f.retention.queryPeriod)}` : ""),
        }
      : {}),
    ...(f.bestAfter ? { bestAfter: durationText(f.bestAfter) } : {}),
    lazy: f.lazy,
    operation: f.text,
  };
}

/** The program description of cli-runtime.md §6.1, plain JSON. */
export function describeProgram(ir: ProgramIR): ProgramDescription {
  return {
    name: ir.name,
    parameters: ir.params.map((p) => ({
      name: p.name,
      type: ntypeToString(p.type),
      ...(p.units ? { units: unitsToString(p.units) } : {}),
      default: p.default,
      value: p.value,
      doc: p.doc,
    })),
    ...(ir.runIf ? { runningCondition: ir.runIf.text } : {}),
    functions: ir.functions.map(describeFunction),
  };
}
