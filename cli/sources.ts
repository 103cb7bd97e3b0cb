// Source files and program names (cli-runtime.md §2, §6.1).

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { RamenError } from "../grammar/diagnostics.js";
import { SourceFile } from "../grammar/source.js";

/** Reads a source file as bytes (one char per byte, raql.md §1.1). */
export function readSource(file: string): SourceFile {
  try {
    return new SourceFile(file, readFileSync(file, "latin1"));
  } catch (err) {
    throw RamenError.of("missingFile", { path: file, reason: errnoText(err) });
  }
}

export function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    default:
      return e.message ?? String(err);
  }
}

/**
 * Checks a program name: a leading `/` is removed; empty, `.` and `..`
 * components are rejected.
 */
export function normalizeProgramName(name: string): string {
  const trimmed = name.replace(/^\/+/, "");
  const parts = trimmed.split("/");
  if (trimmed === "" || parts.some((p) => p === "" || p === "." || p === "..")) {
    throw RamenError.of("invalidProgramName", { name });
  }
  return trimmed;
}

/**
 * The program name of a source file: its path relative to the first lib path
 * containing it, simplified, without extension; a file in no lib path is
 * named by its basename.
 */
export function programNameOfSource(file: string, libPaths: readonly string[]): string {
  const abs = path.resolve(file);
  const noExt = abs.slice(0, abs.length - path.extname(abs).length);
  for (const lib of libPaths) {
    const rel = path.relative(path.resolve(lib), noExt);
    if (rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel)) return normalizeProgramName(rel.split(path.sep).join("/"));
  }
  return normalizeProgramName(path.basename(noExt));
}

/** The source of a program name without its `#suffix`. */
export function programSourceName(programName: string): string {
  const hash = programName.indexOf("#");
  return hash < 0 ? programName : programName.slice(0, hash);
}
