// The public API of the compiler's front half: parse and check a program,
// giving its typed IR (ir.ts), and describe it (describe.ts).

import type { Diagnostic } from "../grammar/diagnostics.js";
import { parseProgram } from "../grammar/index.js";
import type { SourceFile } from "../grammar/source.js";
import type { Value } from "../stdlib/values.js";
import type { ProgramIR, ProgramSchema } from "./ir.js";
import { checkProgramAst } from "./program.js";
import { Reporter } from "./report.js";

export interface CheckProgramOptions {
  readonly source: SourceFile;
  /** the program's full name (`a/b`, `a/b#suffix`) */
  readonly programName: string;
  /**
   * The schema of another program named in a FROM clause, by source name
   * (without `#suffix`); undefined when it cannot be found.
   */
  readonly resolveProgram: (name: string) => ProgramSchema | undefined;
  /** parameter values of this instance, overriding the defaults */
  readonly params?: Readonly<Record<string, Value>>;
  /** where `resolveProgram` looks, named in the "cannot find parent program" error */
  readonly searchPaths?: readonly string[];
}

/**
 * Parses and type-checks a program. Throws a RamenError holding every error
 * found (parse errors stop at the first one); returns the IR and the warnings.
 */
export function checkProgram(opts: CheckProgramOptions): { ir: ProgramIR; warnings: Diagnostic[] } {
  const parsed = parseProgram(opts.source);
  const report = new Reporter(opts.source);
  const ir = checkProgramAst(parsed.program, report, {
    programName: opts.programName,
    resolveProgram: opts.resolveProgram,
    ...(opts.params ? { params: opts.params } : {}),
    ...(opts.searchPaths ? { searchPaths: opts.searchPaths } : {}),
  });
  const warnings = [...report.warnings].sort((a, b) => (a.span?.start ?? 0) - (b.span?.start ?? 0));
  return { ir, warnings: [...parsed.warnings, ...warnings] };
}

export { describeProgram, eventTimeText } from "./describe.js";
export type { FieldDescription, FunctionDescription, ParameterDescription, ParentDescription, ProgramDescription } from "./describe.js";
export * from "./ir.js";
export { MAX_OUTPUT_FIELDS } from "./operation.js";
export { schemaOfProgram } from "./program.js";
