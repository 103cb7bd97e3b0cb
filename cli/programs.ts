// Compiled programs (`.x` files) and the lookup of programs named in FROM
// clauses along the lib paths (cli-runtime.md §6.1): a compiled file whose
// source has not changed since, else the source, checked on the fly.

import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { generateModule } from "../compiler/codegen/module.js";
import { checkProgram, describeProgram, schemaOfProgram } from "../compiler/index.js";
import type { ProgramDescription, ProgramIR, ProgramSchema } from "../compiler/index.js";
import { Diagnostic, RamenError } from "../grammar/diagnostics.js";
import type { SourceFile } from "../grammar/source.js";
import type { Value } from "../stdlib/values.js";
import { programSourceName, readSource } from "./sources.js";

export const COMPILED_FORMAT = "ramen-ts/2";

/** The content of a `.x` file. */
export interface CompiledProgram {
  readonly format: typeof COMPILED_FORMAT;
  readonly program: string;
  readonly source_md5: string;
  readonly info: ProgramDescription;
  readonly ir: ProgramIR;
  /** the generated JavaScript module (compiler/codegen/module.ts) */
  readonly module: string;
}

export function md5(text: string): string {
  return createHash("md5").update(text, "latin1").digest("hex");
}

/** Reads a `.x` file; undefined when it is not a compiled program of this format. */
export function readCompiled(file: string): CompiledProgram | undefined {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  const c = json as Partial<CompiledProgram> | null;
  return c && c.format === COMPILED_FORMAT && typeof c.program === "string" && c.ir ? (c as CompiledProgram) : undefined;
}

/** Writes to a temporary name then renames, so that readers never see half a file. */
export function writeFileAtomic(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

export type ProgramLocation =
  | { readonly kind: "compiled"; readonly compiled: CompiledProgram; readonly source?: string }
  | { readonly kind: "source"; readonly path: string; readonly stale: boolean };

export interface CompileResult {
  readonly compiled: CompiledProgram;
  readonly warnings: readonly Diagnostic[];
}

/**
 * Checks programs and answers the FROM lookups of the checker. Programs found
 * as sources are checked once per loader; a program that needs itself through
 * other programs is reported as a cycle.
 */
export class ProgramLoader {
  private readonly schemas = new Map<string, ProgramSchema>();
  private readonly inProgress: string[] = [];

  constructor(readonly libPaths: readonly string[]) {}

  /** Checks a program: its IR and warnings. */
  check(source: SourceFile, programName: string, params?: Readonly<Record<string, Value>>): { ir: ProgramIR; warnings: readonly Diagnostic[] } {
    this.inProgress.push(programSourceName(programName));
    try {
      return checkProgram({
        source,
        programName,
        resolveProgram: (name) => this.resolve(name),
        searchPaths: this.libPaths,
        ...(params ? { params } : {}),
      });
    } finally {
      this.inProgress.pop();
    }
  }

  /** Checks a program and generates its module. */
  compile(source: SourceFile, programName: string, params?: Readonly<Record<string, Value>>): CompileResult {
    const { ir, warnings } = this.check(source, programName, params);
    const compiled: CompiledProgram = {
      format: COMPILED_FORMAT,
      program: programName,
      source_md5: md5(source.text),
      info: describeProgram(ir),
      ir,
      module: generateModule(ir),
    };
    return { compiled, warnings };
  }

  /** The schema of a program named in FROM (without `#suffix`), or undefined. */
  resolve(name: string): ProgramSchema | undefined {
    const cached = this.schemas.get(name);
    if (cached) return cached;
    if (this.inProgress.includes(name)) {
      throw RamenError.of("cycle", { path: [...this.inProgress.slice(this.inProgress.indexOf(name)), name].join(" -> ") });
    }
    const found = this.locate(name);
    if (found?.kind === "compiled") return this.remember(name, schemaOfProgram(found.compiled.ir));
    if (found?.kind === "source") return this.remember(name, schemaOfProgram(this.check(readSource(found.path), name).ir));
    return undefined;
  }

  /**
   * A program name (without `#suffix`) along the lib paths: its `.x` when
   * there is no source or the `.x` was compiled from the source as it is,
   * else its source (`stale`: an out-of-date `.x` is next to it).
   */
  locate(name: string): ProgramLocation | undefined {
    for (const lib of this.libPaths) {
      const base = path.join(lib, ...name.split("/"));
      const sourceFile = base + ".ramen";
      const hasSource = existsSync(sourceFile);
      const compiled = existsSync(base + ".x") ? readCompiled(base + ".x") : undefined;
      if (compiled && (!hasSource || compiled.source_md5 === md5(readFileSync(sourceFile, "latin1")))) {
        return { kind: "compiled", compiled, ...(hasSource ? { source: sourceFile } : {}) };
      }
      if (hasSource) return { kind: "source", path: sourceFile, stale: compiled !== undefined };
    }
    return undefined;
  }

  private remember(name: string, schema: ProgramSchema): ProgramSchema {
    this.schemas.set(name, schema);
    return schema;
  }
}

/** Lib paths from `-L` options, else `$RAMEN_PATH` (`:`-separated), else the current directory. */
export function libPathsOf(option: readonly string[] | undefined): string[] {
  if (option && option.length > 0) return [...option];
  const env = process.env["RAMEN_PATH"];
  if (env) return env.split(":").filter((p) => p !== "");
  return ["."];
}
