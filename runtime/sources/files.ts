// READ FROM FILE[S] (raql.md §4.13, cli-runtime.md §9): the files matching a
// name or glob are read in name order, then new matching files as they
// appear; each may be piped through a shell command (PREPROCESS WITH) and
// deleted once read (THEN DELETE). The reader never ends by itself unless told
// not to follow; it stops when its consumer stops iterating or its signal is
// aborted.
//
// Nothing the files contain or lack stops it: a bad line, a file that cannot
// be read, a failing preprocessor or a missing file is reported through the
// `report` callback (a diagnostic with the file and line) and reading goes on.
// Rows come out in arrays of up to `chunkRows`, ready to become a batch.

import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, createReadStream, openSync, readdirSync, statSync, unlinkSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type Diagnostic, diag } from "../../grammar/diagnostics.js";
import type { Value } from "../../stdlib/values.js";
import { type CsvLineParser, describeCsvError, isCsvError } from "./csv.js";
import type { RowBinaryDecoder } from "./rowbinary.js";

export type SourceReport =
  /** a line that did not parse; it was skipped */
  | { readonly tag: "badLine"; readonly file: string; readonly line: number; readonly diagnostic: Diagnostic }
  /** a file that could not be read (or preprocessed, or deleted); the next one is read */
  | { readonly tag: "fileError"; readonly file: string; readonly diagnostic: Diagnostic }
  /** nothing matches the name or glob (yet); reported once until something does */
  | { readonly tag: "waiting"; readonly diagnostic: Diagnostic };

export interface FileSourceOptions {
  /** a file name or a glob (`*`, `?`, `[…]` in any path component) */
  readonly path: string;
  /** what relative paths are relative to: the function's working directory */
  readonly cwd: string;
  /** PREPROCESS WITH: a shell command each file is piped through */
  readonly preprocess?: string;
  /** the value of THEN DELETE [IF c]; false without THEN DELETE */
  readonly deleteAfter?: boolean;
  readonly report: (r: SourceReport) => void;
  /** keep looking for new files once the existing ones are read (default true) */
  readonly follow?: boolean;
  /** how often to look for new files, in ms (default 1000) */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  /** most rows per yielded array (default 1024) */
  readonly chunkRows?: number;
}

export interface ReadCounts {
  /** files fully read */
  files: number;
  /** rows produced (CSV: good lines) */
  rows: number;
  /** CSV lines that did not parse */
  badLines: number;
}

export interface FileSource {
  readonly rows: AsyncIterable<Value[][]>;
  readonly counts: Readonly<ReadCounts>;
}

const DEFAULT_CHUNK_ROWS = 1024;
const DEFAULT_POLL_MS = 1000;
const LF = "\n";

/** CSV files read line by line (bytes as latin1: one char per byte), each line through `parseLine`. */
export function csvFileSource(options: FileSourceOptions, parseLine: CsvLineParser): FileSource {
  const counts: ReadCounts = { files: 0, rows: 0, badLines: 0 };
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  async function* rows(): AsyncGenerator<Value[][]> {
    for await (const file of sourceFiles(options)) {
      let out: Value[][] = [];
      let lineNumber = 0;
      let rest = "";
      const parse = (line: string): void => {
        lineNumber++;
        const r = parseLine(line.endsWith("\r") ? line.slice(0, -1) : line);
        if (!isCsvError(r)) {
          out.push(r);
          counts.rows++;
          return;
        }
        counts.badLines++;
        options.report({ tag: "badLine", file: file.name, line: lineNumber, diagnostic: diag("inputBadLine", { file: file.name, line: lineNumber, reason: describeCsvError(r) }) });
      };
      const complete = yield* readEach(file, options, async function* (chunk) {
        const text = rest + chunk.toString("latin1");
        let start = 0;
        for (let end = text.indexOf(LF); end >= 0; end = text.indexOf(LF, start)) {
          parse(text.slice(start, end));
          start = end + 1;
          if (out.length >= chunkRows) {
            yield out;
            out = [];
          }
        }
        rest = text.slice(start);
      });
      // A last line without its newline is a line all the same.
      if (complete && rest !== "") parse(rest);
      if (out.length > 0) yield out;
      if (complete) finish(file, options, counts);
    }
  }
  return { rows: rows(), counts };
}

/** RowBinary files, decoded as their bytes arrive; a file ending inside a row is reported. */
export function rowBinaryFileSource(options: FileSourceOptions, newDecoder: () => RowBinaryDecoder): FileSource {
  const counts: ReadCounts = { files: 0, rows: 0, badLines: 0 };
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  async function* rows(): AsyncGenerator<Value[][]> {
    for await (const file of sourceFiles(options)) {
      const decoder = newDecoder();
      const complete = yield* readEach(file, options, async function* (chunk) {
        const decoded = decoder.push(chunk);
        counts.rows += decoded.length;
        for (let i = 0; i < decoded.length; i += chunkRows) yield decoded.slice(i, i + chunkRows);
      });
      if (!complete) continue;
      if (decoder.pendingBytes > 0) {
        options.report({ tag: "fileError", file: file.name, diagnostic: diag("inputIncompleteRow", { file: file.name, bytes: decoder.pendingBytes }) });
      }
      finish(file, options, counts);
    }
  }
  return { rows: rows(), counts };
}

/**
 * Lets through at most one bad-line report per file per period, as the log
 * wants them (cli-runtime.md §9); the next one let through carries the number
 * held back since. Other reports always pass. `counts.badLines` stays exact.
 */
export function throttleBadLines(report: (r: SourceReport, heldBack: number) => void, periodMs = 1000, now: () => number = Date.now): (r: SourceReport) => void {
  const lastByFile = new Map<string, { at: number; heldBack: number }>();
  return (r) => {
    if (r.tag !== "badLine") return report(r, 0);
    const t = now();
    const last = lastByFile.get(r.file);
    if (last && t - last.at < periodMs) {
      last.heldBack++;
      return;
    }
    report(r, last?.heldBack ?? 0);
    lastByFile.set(r.file, { at: t, heldBack: 0 });
  };
}

// ---- files -------------------------------------------------------------------------------

interface SourceFile {
  /** as reported: relative to the working directory when under it */
  readonly name: string;
  readonly absolute: string;
}

/** Thrown by fileChunks; reported, then the next file is read. */
class FileProblem {
  constructor(readonly diagnostic: Diagnostic) {}
}

/**
 * Feeds every chunk of `file` to `consume`, passing on what it yields;
 * returns whether the whole file was read (false after a reported problem).
 */
async function* readEach(file: SourceFile, options: FileSourceOptions, consume: (chunk: Buffer) => AsyncGenerator<Value[][]>): AsyncGenerator<Value[][], boolean> {
  try {
    for await (const chunk of fileChunks(file, options)) yield* consume(chunk);
    return true;
  } catch (e) {
    if (!(e instanceof FileProblem)) throw e;
    options.report({ tag: "fileError", file: file.name, diagnostic: e.diagnostic });
    return false;
  }
}

function finish(file: SourceFile, options: FileSourceOptions, counts: ReadCounts): void {
  counts.files++;
  if (!options.deleteAfter) return;
  try {
    unlinkSync(file.absolute);
  } catch (e) {
    options.report({ tag: "fileError", file: file.name, diagnostic: diag("inputDeleteFailed", { file: file.name, reason: reasonOf(e) }) });
  }
}

/** The matching files in name order, then new ones as they appear (see `follow`). */
async function* sourceFiles(options: FileSourceOptions): AsyncGenerator<SourceFile> {
  const pattern = resolve(options.cwd, options.path);
  const seen = new Set<string>();
  let waitingReported = false;
  for (;;) {
    if (options.signal?.aborted) return;
    const found = matchingFiles(pattern);
    if (found.length === 0 && seen.size === 0 && !waitingReported) {
      options.report({ tag: "waiting", diagnostic: diag("inputNoFile", { pattern: options.path }) });
      waitingReported = true;
    }
    for (const absolute of found) {
      if (seen.has(absolute)) continue;
      if (options.signal?.aborted) return;
      seen.add(absolute);
      waitingReported = false;
      yield { name: displayName(absolute, options.cwd), absolute };
      // A deleted file's name may come again with new contents.
      if (options.deleteAfter && !isFile(absolute)) seen.delete(absolute);
    }
    if (options.follow === false) return;
    try {
      await sleep(options.pollMs ?? DEFAULT_POLL_MS, undefined, { signal: options.signal });
    } catch {
      return; // aborted
    }
  }
}

function displayName(absolute: string, cwd: string): string {
  const rel = relative(resolve(cwd), absolute);
  return rel.startsWith("..") || isAbsolute(rel) ? absolute : rel;
}

const GLOB_CHARS = /[*?[]/;

/** Regular files matching an absolute pattern whose components may hold `*`, `?` and `[…]`, sorted. */
export function matchingFiles(pattern: string): string[] {
  const parts = pattern.split(sep);
  let dirs = [parts[0] === "" ? sep : parts[0]!];
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === "") continue;
    const next: string[] = [];
    for (const dir of dirs) {
      if (!GLOB_CHARS.test(part)) {
        next.push(join(dir, part));
        continue;
      }
      const re = globRegExp(part);
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue; // a missing directory is waited for like a missing file
      }
      for (const name of names.sort()) if (re.test(name)) next.push(join(dir, name));
    }
    dirs = next;
  }
  return dirs.filter(isFile).sort();
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** One path component of a glob: `*` any chars, `?` one char, `[…]` / `[!…]` a class; dot files only when the pattern starts with a dot. */
function globRegExp(part: string): RegExp {
  let re = part.startsWith(".") ? "" : "(?!\\.)";
  for (let i = 0; i < part.length; i++) {
    const c = part[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[" && part.indexOf("]", i + 2) > 0) {
      const end = part.indexOf("]", i + 2);
      let body = part.slice(i + 1, end);
      if (body.startsWith("!")) body = "^" + body.slice(1);
      re += "[" + body.replace(/\\/g, "\\\\") + "]";
      i = end;
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp("^" + re + "$");
}

/** The bytes of a file, or of what its preprocessor writes; problems are thrown as FileProblem. */
async function* fileChunks(file: SourceFile, options: FileSourceOptions): AsyncGenerator<Buffer> {
  let fd: number;
  try {
    fd = openSync(file.absolute, "r");
  } catch (e) {
    throw new FileProblem(diag("inputUnreadable", { file: file.name, reason: reasonOf(e) }));
  }
  if (options.preprocess === undefined || options.preprocess === "") {
    yield* plainChunks(fd, file);
  } else {
    yield* preprocessedChunks(fd, file, options.preprocess, options.cwd);
  }
}

async function* plainChunks(fd: number, file: SourceFile): AsyncGenerator<Buffer> {
  const stream = createReadStream("", { fd, autoClose: true });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (e) {
    throw new FileProblem(diag("inputUnreadable", { file: file.name, reason: reasonOf(e) }));
  } finally {
    stream.destroy();
  }
}

const STDERR_KEPT = 500;

async function* preprocessedChunks(fd: number, file: SourceFile, command: string, cwd: string): AsyncGenerator<Buffer> {
  let child: ChildProcess;
  try {
    child = spawn("/bin/sh", ["-c", command], { cwd, stdio: [fd, "pipe", "pipe"] });
  } finally {
    closeSync(fd); // the child has its own copy
  }
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => {
    if (stderr.length < STDERR_KEPT) stderr += d.toString("utf8");
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((done) => {
    child.on("error", (error) => done({ code: null, signal: null, error }));
    child.on("close", (code, signal) => done({ code, signal }));
  });
  let finished = false;
  try {
    for await (const chunk of child.stdout!) yield chunk as Buffer;
    const end = await exited;
    finished = true;
    if (end.error || end.code !== 0) {
      const reason = end.error ? end.error.message : end.code !== null ? `exit code ${end.code}` + (stderr.trim() ? `: ${stderr.trim().slice(0, STDERR_KEPT)}` : "") : `killed by ${end.signal}`;
      throw new FileProblem(diag("inputPreprocessFailed", { file: file.name, command: JSON.stringify(command), reason }));
    }
  } finally {
    // The consumer stopped early: the preprocessor has nobody to write to.
    if (!finished) child.kill();
  }
}

function reasonOf(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
  }
  return err instanceof Error ? err.message : String(e);
}
