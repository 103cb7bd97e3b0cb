// The archivist's files under the state directory (cli-runtime.md §1.5) and the
// two file operations every step needs: reading a JSON file with errors a user
// can act on, and replacing a file atomically so that gc, the supervisor and
// `ramen ps` never read a half-written file.

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { RamenError } from "../../grammar/diagnostics.js";

export interface ArchivistPaths {
  readonly config: string;
  readonly stats: string;
  readonly smt2: string;
  readonly allocs: string;
  readonly summary: string;
  /** root of the runtime statistics records, `stats/v1/<program>/<function>.json` */
  readonly runtimeStats: string;
}

export function archivistPaths(stateDir: string, site: string): ArchivistPaths {
  const base = join(stateDir, "archivist", "v1");
  return {
    config: join(base, "config.json"),
    stats: join(base, "stats", `${site}.json`),
    smt2: join(base, "allocations.smt2"),
    allocs: join(base, "allocs", `${site}.json`),
    summary: join(base, "summary", `${site}.json`),
    runtimeStats: join(stateDir, "stats", "v1"),
  };
}

/** The parsed content of a JSON file, or undefined when the file does not exist. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw RamenError.of("archivistFileError", { path, reason: (err as Error).message });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw RamenError.of("archivistFileError", { path, reason: (err as Error).message });
  }
}

/** Write to a temporary file in the same directory, flush it, then rename it over `path`. */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, "w", 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/** JSON of an object with its keys in byte order, one entry per line, so the files diff well. */
export function sortedJson(object: Readonly<Record<string, unknown>>): string {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(object).sort(compareBytes)) sorted[key] = object[key];
  return JSON.stringify(sorted, null, 2) + "\n";
}

/** Byte order of strings, the order of function indices (archival.md §4.3.1) and of file keys. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
