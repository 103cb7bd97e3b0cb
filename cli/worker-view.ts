// What `tail`, `replay` and `timeseries` share: the function a worker name
// designates (asked to the supervisor, with "did you mean"), its fields as
// the command line names them, and the rows of the control API decoded.

import { type FunctionIR, type ValueJson, valueFromJson } from "../compiler/ir.js";
import { closestName } from "../compiler/report.js";
import { RamenError } from "../grammar/diagnostics.js";
import type { Value } from "../stdlib/values.js";
import type { SupervisorClient } from "./client.js";
import type { OutputField } from "./format/fields.js";

/** One output tuple: every output field (private ones NULL: they are not sent), event start and stop. */
export interface Tuple {
  readonly values: Value[];
  readonly start: number;
  readonly stop: number;
}

export interface WorkerView {
  readonly fq: string;
  readonly fn: FunctionIR;
  /** every output field, private ones included (so that naming one gets its own message) */
  readonly fields: readonly OutputField[];
  /** a row of the control API (public fields, #start, #stop, JSON) as a tuple */
  decode(json: readonly unknown[]): Tuple;
}

/** `[site:]program/function`: the fq name (the site must be this one). */
export function fqOf(worker: string): string {
  const colon = worker.indexOf(":");
  return colon >= 0 && colon < worker.indexOf("/") ? worker.slice(colon + 1) : worker;
}

export async function workerView(client: SupervisorClient, worker: string): Promise<WorkerView> {
  const fq = fqOf(worker);
  const functions = await client.request<{ fq: string; fn: FunctionIR }[]>("functions");
  const found = functions.find((f) => f.fq === fq);
  if (!found) {
    const close = closestName(fq, functions.map((f) => f.fq));
    throw RamenError.of("unknownWorker", { fq, hint: close ? ` (did you mean ${close}?)` : "" });
  }
  const fn = found.fn;
  const fields: OutputField[] = fn.output.map((o) => ({ name: o.name, type: o.type, ...(o.units ? { units: o.units } : {}) }));
  const publicFields = fields.filter((f) => !f.name.startsWith("_"));
  const publicAt = fields.map((f) => publicFields.indexOf(f));
  return {
    fq,
    fn,
    fields,
    decode: (json) => ({
      values: fields.map((f, k) => (publicAt[k]! < 0 ? null : valueFromJson(json[publicAt[k]!] as ValueJson, f.type.type))),
      start: json[publicFields.length] as number,
      stop: json[publicFields.length + 1] as number,
    }),
  };
}
