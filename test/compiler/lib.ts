// Checks programs from .ramen files under a lib directory, resolving their
// parents from the same directory, as `ramen compile -L dir` does.

import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { checkProgram, schemaOfProgram, type ProgramIR, type ProgramSchema } from "../../compiler/index.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { SourceFile } from "../../grammar/source.js";

export function sourceOf(file: string, shownAs = file): SourceFile {
  return new SourceFile(shownAs, readFileSync(file, "latin1"));
}

/** A resolver of program names to schemas, checking `<lib>/<name>.ramen` on the fly. */
export function libResolver(lib: string): (name: string) => ProgramSchema | undefined {
  const resolve = (name: string): ProgramSchema | undefined => {
    const file = path.join(lib, name + ".ramen");
    if (!existsSync(file)) return undefined;
    return schemaOfProgram(checkProgram({ source: sourceOf(file), programName: name, resolveProgram: resolve }).ir);
  };
  return resolve;
}

export function checkFile(lib: string, name: string, shownAs?: string): { ir: ProgramIR; warnings: Diagnostic[] } {
  const file = path.join(lib, name + ".ramen");
  return checkProgram({ source: sourceOf(file, shownAs ?? file), programName: name, resolveProgram: libResolver(lib), searchPaths: [lib] });
}
