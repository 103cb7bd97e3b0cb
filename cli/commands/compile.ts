// `ramen compile [OPTIONS] FILE...` (cli-runtime.md §6.1).

import { Command, Option } from "commander";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { formatDiagnostic, isRamenError } from "../../grammar/diagnostics.js";
import { UsageError } from "../errors.js";
import { typescriptModule } from "../../compiler/codegen/module.js";
import { log } from "../log.js";
import { ProgramLoader, libPathsOf, readCompiled, writeFileAtomic } from "../programs.js";
import { normalizeProgramName, programNameOfSource, readSource } from "../sources.js";
import { collect } from "../options.js";

interface CompileOptions {
  libPath?: string[];
  output?: string;
  as?: string;
  replace?: boolean;
  emitTs?: boolean;
}


/** Checks the extension of a source file (`.ramen` only). */
function checkExtension(file: string): void {
  const ext = path.extname(file);
  if (ext === "") throw new UsageError(`${file}: Need an extension to build a source file.`);
  if (ext !== ".ramen") throw new UsageError(`${file}: Unknown extension "${ext.slice(1)}"`);
}

/** The default output: the source minus its extension, plus `.x`. */
export function defaultOutput(file: string): string {
  return file.slice(0, file.length - path.extname(file).length) + ".x";
}

/**
 * An existing output is overwritten only when it holds a compiled program of
 * the same name (re-compiling after an edit), or with --replace.
 */
function checkOverwrite(output: string, programName: string, replace: boolean): void {
  if (replace || !existsSync(output)) return;
  const existing = readCompiled(output);
  if (existing?.program === programName) return;
  const what = existing ? `the compiled program ${existing.program}` : "something that is not a compiled program";
  throw new UsageError(`${output} already exists and holds ${what}; use --replace to overwrite it`);
}

export function registerCompile(program: Command): void {
  program
    .command("compile")
    .description("parse, type-check and compile RaQL programs")
    .argument("<file...>", "source files (.ramen)")
    .option("-L, --lib-path <path>", "where programs named in FROM are looked up (repeatable; env RAMEN_PATH, :-separated)", collect)
    .option("-o, --output <file>", "where to write the compiled program (one source only)")
    .option("--as <name>", "program name (one source only)")
    .option("-r, --replace", "overwrite an output that holds something else")
    .option("--emit-ts", "also write the generated TypeScript module next to the output (NAME.ts)")
    .addOption(new Option("-O, --optimization-level <n>", "accepted for compatibility").hideHelp())
    .addOption(new Option("--external-compiler <x>").hideHelp())
    .addOption(new Option("--dessser-code-generator <x>").hideHelp())
    .addOption(new Option("--smt-solver <x>").hideHelp())
    .addOption(new Option("--reuse-prev-files").hideHelp())
    .action(async (files: string[], opts: CompileOptions) => {
      if (files.length > 1 && opts.as !== undefined) throw new UsageError("Cannot specify the program name for several source files.");
      if (files.length > 1 && opts.output !== undefined) throw new UsageError("Cannot specify the output file for several source files.");
      const libPaths = libPathsOf(opts.libPath);
      const loader = new ProgramLoader(libPaths);
      let failed = false;
      for (const file of files) {
        try {
          checkExtension(file);
          const programName = opts.as !== undefined ? normalizeProgramName(opts.as) : programNameOfSource(file, libPaths);
          const output = opts.output ?? defaultOutput(file);
          const { compiled, warnings } = loader.compile(readSource(file), programName);
          for (const w of warnings) process.stdout.write(formatDiagnostic(w) + "\n");
          checkOverwrite(output, programName, Boolean(opts.replace));
          writeFileAtomic(output, JSON.stringify(compiled) + "\n");
          if (opts.emitTs) {
            const api = new URL("../../runtime/engine/api.js", import.meta.url).pathname;
            writeFileAtomic(output.slice(0, output.length - path.extname(output).length) + ".ts", await typescriptModule(compiled.module, api));
          }
          log.info(`Program ${programName} is compiled`);
        } catch (err) {
          if (!isRamenError(err) && !(err instanceof UsageError)) throw err;
          failed = true;
          const messages = isRamenError(err) ? err.diagnostics.map(formatDiagnostic) : [err.message];
          for (const m of messages) process.stderr.write(m + "\n");
        }
      }
      if (failed) process.exitCode = 1;
    });
}
