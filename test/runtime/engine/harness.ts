// Runs one compiled function in-process, fed with rows given by field name:
// the generated code of compiler/codegen driven through FunctionRunner, as
// the engine drives it, without files or timers.

import { checkProgram } from "../../../compiler/index.js";
import { generateModule } from "../../../compiler/codegen/module.js";
import type { FunctionIR, ProgramIR } from "../../../compiler/ir.js";
import { SourceFile } from "../../../grammar/source.js";
import type { Value } from "../../../stdlib/values.js";
import { batchesOfRows } from "../../../runtime/arrow/builder.js";
import { BatchReader } from "../../../runtime/arrow/reader.js";
import type { ProgramModule } from "../../../runtime/engine/api.js";
import { loadProgramModule } from "../../../runtime/engine/load.js";
import { FunctionRunner, type RunnerHost } from "../../../runtime/engine/runner.js";

export interface Compiled {
  readonly ir: ProgramIR;
  readonly module: ProgramModule;
}

export async function compile(text: string, programName = "test"): Promise<Compiled> {
  const { ir } = checkProgram({ source: new SourceFile(`${programName}.ramen`, text), programName, resolveProgram: () => undefined });
  return { ir, module: await loadProgramModule(generateModule(ir)) };
}

export const quietHost: RunnerHost = {
  now: () => 1_000_000,
  random: () => 0.5,
  env: () => null,
  global: () => new Map(),
  print: () => {},
  notify: () => {},
  tupleError: () => {},
};

/** A runner of function `name` whose output rows (every output field, in order) land in `out`. */
export function runner(c: Compiled, name: string, out: Value[][], host: RunnerHost = quietHost): { fn: FunctionIR; runner: FunctionRunner } {
  const fn = c.ir.functions.find((f) => f.name === name);
  if (!fn) throw new Error(`no function ${name}`);
  const r = new FunctionRunner(`${c.ir.name}/${name}`, fn, c.module.functions[name]!, {}, host);
  const fields = fn.output.map((f) => ({ name: f.name, type: f.type }));
  r.outputs.push({
    columns: fn.output.map((_, k) => k),
    deliver: (batch) => {
      const reader = new BatchReader(batch, fields);
      for (let i = 0; i < reader.numRows; i++) out.push(reader.row(i));
    },
  });
  return { fn, runner: r };
}

/** Feeds `rows` (objects by input field name) to function `name`, in batches of `batchRows`; its output rows. */
export function feed(c: Compiled, name: string, rows: readonly Record<string, Value>[], batchRows = 1024): Value[][] {
  const out: Value[][] = [];
  const { fn, runner: r } = runner(c, name, out);
  const fields = fn.input.map((f) => ({ name: f.name, type: f.type }));
  const values = rows.map((row) => fn.input.map((f) => row[f.name] ?? null));
  for (const batch of batchesOfRows(fields, values, { maxRows: batchRows })) r.onBatch(batch);
  return out;
}
