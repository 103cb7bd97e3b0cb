// What `ramen run` sends to a supervisor: each PROGRAM argument found (a
// compiled file, a source, or a name along the lib paths; cli-runtime.md
// §6.2), compiled when needed, with its `-p` parameter values checked
// against the declared types.

import * as path from "node:path";
import { type ProgramIR, valueToJson } from "../compiler/ir.js";
import { RamenError } from "../grammar/diagnostics.js";
import { ntypeToString } from "../grammar/types.js";
import type { RunProgram } from "../runtime/supervisor/control.js";
import { LiteralFailure, readLiteral } from "../runtime/testing/expect.js";
import { UsageError } from "./errors.js";
import { log } from "./log.js";
import { type CompiledProgram, ProgramLoader, readCompiled } from "./programs.js";
import { normalizeProgramName, programNameOfSource, readSource } from "./sources.js";

export interface RunOptions {
  readonly parameters: readonly string[];
  readonly as?: string;
  readonly cwd: string;
  readonly reportPeriod: number;
  readonly debug: boolean;
  readonly libPaths: readonly string[];
}

/** The compiled program an argument designates. */
function findProgram(arg: string, loader: ProgramLoader, libPaths: readonly string[]): { compiled: CompiledProgram; sourcePath?: string } {
  const ext = path.extname(arg);
  if (ext === ".x") {
    const compiled = readCompiled(arg);
    if (!compiled) throw new UsageError(`${arg} is not a compiled program (compile it again with "ramen compile")`);
    return { compiled };
  }
  if (ext === ".ramen") return { compiled: loader.compile(readSource(arg), programNameOfSource(arg, libPaths)).compiled, sourcePath: path.resolve(arg) };
  const name = normalizeProgramName(arg.replace(/#.*$/, ""));
  const found = loader.locate(name);
  if (found?.kind === "compiled") return { compiled: found.compiled, ...(found.source ? { sourcePath: path.resolve(found.source) } : {}) };
  if (found?.kind === "source") {
    if (found.stale) log.info(`Recompiling ${name}: source changed`);
    return { compiled: loader.compile(readSource(found.path), name).compiled, sourcePath: path.resolve(found.path) };
  }
  throw RamenError.of("cannotFindProgram", { name: arg, paths: libPaths.join(", ") });
}

/** `-p NAME=VALUE` values read as RaQL literals of the declared types (JSON-encoded). */
function parameterValues(ir: ProgramIR, assignments: readonly string[]): Record<string, ReturnType<typeof valueToJson>> {
  const values: Record<string, ReturnType<typeof valueToJson>> = {};
  const unused: string[] = [];
  for (const a of assignments) {
    const eq = a.indexOf("=");
    if (eq < 0) throw new UsageError(`Bad parameter "${a}": expected NAME=VALUE`);
    const name = a.slice(0, eq).trim();
    const text = a.slice(eq + 1);
    const declared = ir.params.find((p) => p.name === name);
    if (!declared) {
      unused.push(name);
      continue;
    }
    try {
      values[name] = valueToJson(readLiteral(Buffer.from(text, "utf8").toString("latin1"), declared.type));
    } catch (e) {
      if (!(e instanceof LiteralFailure)) throw e;
      throw RamenError.of("badParameterValue", { name, value: text, reason: `${e.message} (expected ${ntypeToString(declared.type)})` });
    }
  }
  if (unused.length === 1) throw RamenError.of("runUnusedParameter", { names: unused[0]! });
  if (unused.length > 1) throw RamenError.of("runUnusedParameters", { names: unused.join(", ") });
  return values;
}

export function programsToRun(args: readonly string[], opts: RunOptions): RunProgram[] {
  if (args.length > 1 && opts.as !== undefined) throw new UsageError("Cannot specify the program name for several programs.");
  const loader = new ProgramLoader(opts.libPaths);
  return args.map((arg) => {
    const { compiled, sourcePath } = findProgram(arg, loader, opts.libPaths);
    const suffix = /#.*$/.exec(arg)?.[0] ?? "";
    const program = opts.as !== undefined ? normalizeProgramName(opts.as) : compiled.program + (path.extname(arg) === "" ? suffix : "");
    return {
      entry: {
        program,
        params: parameterValues(compiled.ir, opts.parameters),
        cwd: path.resolve(opts.cwd),
        report_period: opts.reportPeriod,
        debug: opts.debug,
        ...(sourcePath ? { source_path: sourcePath } : {}),
      },
      ir: compiled.ir,
      module: compiled.module,
    };
  });
}
