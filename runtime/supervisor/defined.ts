// The functions of the running configuration, read from the state
// directory (running-config.json and the stored programs): what `ramen gc`
// and `ramen archivist` need when they run outside of the supervisor.

import type { FunctionIR, ProgramIR } from "../../compiler/ir.js";
import { START_FIELD, STOP_FIELD } from "../arrow/builder.js";
import { arrowSchemaOf } from "../arrow/schema.js";
import { schemaHash } from "../archive/layout.js";
import { type RunEntry, loadStoredProgram, readRunningConfig } from "./state.js";

export interface DefinedFunction {
  readonly fq: string;
  readonly fn: FunctionIR;
  /** fq names of its parents (every instance for `#_`) */
  readonly parents: readonly string[];
}

/** The Arrow schema of a function's archive files: every output field, private ones included, then #start and #stop (archival.md §2.2). */
export function archiveSchemaOf(fn: FunctionIR) {
  return arrowSchemaOf([...fn.output, START_FIELD, STOP_FIELD]);
}

/** The schema hash naming a function's archive directory (archival.md §2.1). */
export function archiveSchemaHash(fn: FunctionIR): string {
  return schemaHash(archiveSchemaOf(fn));
}

/** The programs of the running configuration with their stored IR; those whose stored copy cannot be read are skipped. */
export function runningPrograms(stateDir: string): { readonly entry: RunEntry; readonly name: string; readonly ir: ProgramIR }[] {
  return readRunningConfig(stateDir).flatMap((entry) => {
    try {
      return [{ entry, name: entry.program, ir: loadStoredProgram(stateDir, entry.program, entry.signature).ir }];
    } catch {
      return [];
    }
  });
}

/** Every function of the running configuration; programs whose stored copy cannot be read are skipped. */
export function definedFunctions(stateDir: string): DefinedFunction[] {
  const programs = runningPrograms(stateDir);
  const out: DefinedFunction[] = [];
  for (const p of programs) {
    for (const fn of p.ir.functions) {
      const parents = fn.parents.flatMap((q) => {
        const program = q.sameProgram ? p.name : q.program;
        if (!program.endsWith("#_")) return [`${program}/${q.function}`];
        const base = program.slice(0, -2);
        return programs.filter((o) => o.name.replace(/#.*$/, "") === base).map((o) => `${o.name}/${q.function}`);
      });
      out.push({ fq: `${p.name}/${fn.name}`, fn, parents });
    }
  }
  return out;
}
