// The supervisor's files in the state directory (cli-runtime.md §1.1, §1.5):
// the lock, the running configuration, the copies of compiled programs it
// runs, and the last statistics record of each function.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { ProgramIR, ValueJson } from "../../compiler/ir.js";
import { RamenError } from "../../grammar/diagnostics.js";
import { isPidAlive } from "../archive/locks.js";
import { supervisorPaths } from "./paths.js";

export { supervisorPaths } from "./paths.js";

/** Writes to a temporary name then renames, so that readers never see half a file. */
export function writeAtomic(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

/**
 * Where the control socket lives: `supervisor.sock` in the state directory,
 * unless that path is too long for a Unix socket (about 100 bytes), then a
 * name in $TMPDIR derived from the state directory, with `supervisor.sock` a
 * symbolic link to it (§1.4).
 */
export function socketPathOf(stateDir: string): string {
  const inDir = supervisorPaths(stateDir).socket;
  if (Buffer.byteLength(inDir) <= 100) return inDir;
  const hash = createHash("md5").update(path.resolve(stateDir)).digest("hex").slice(0, 16);
  return path.join(tmpdir(), `ramen-${hash}.sock`);
}

/** Takes the supervisor lock of `stateDir`; a stale lock (dead pid) is taken over. */
export function acquireSupervisorLock(stateDir: string): void {
  const file = supervisorPaths(stateDir).pid;
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: "wx" });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number(readFileSync(file, "utf8").trim());
      if (isPidAlive(pid) && pid !== process.pid) throw RamenError.of("supervisorRunning", { dir: stateDir, pid });
      unlinkSync(file);
    }
  }
  throw RamenError.of("supervisorRunning", { dir: stateDir, pid: "?" });
}

export function releaseSupervisorLock(stateDir: string): void {
  const file = supervisorPaths(stateDir).pid;
  try {
    if (Number(readFileSync(file, "utf8").trim()) === process.pid) unlinkSync(file);
  } catch {
    // already gone
  }
}

/** The pid of the live supervisor of `stateDir`, if any. */
export function runningSupervisor(stateDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(supervisorPaths(stateDir).pid, "utf8").trim());
    return isPidAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** One program of the running configuration (§6.2). */
export interface RunEntry {
  /** the instance name, with its #suffix */
  readonly program: string;
  /** parameter overrides, JSON-encoded for their declared types */
  readonly params: Readonly<Record<string, ValueJson>>;
  readonly cwd: string;
  readonly report_period: number;
  readonly debug: boolean;
  readonly source_path?: string;
  /** hash of the compiled program: its copy is programs/v1/<program>/<signature>/ */
  readonly signature: string;
}

export function readRunningConfig(stateDir: string): RunEntry[] {
  const file = supervisorPaths(stateDir).runningConfig;
  if (!existsSync(file)) return [];
  const json = JSON.parse(readFileSync(file, "utf8")) as { programs?: RunEntry[] };
  return json.programs ?? [];
}

export function writeRunningConfig(stateDir: string, entries: readonly RunEntry[]): void {
  writeAtomic(supervisorPaths(stateDir).runningConfig, JSON.stringify({ programs: entries }, null, 2) + "\n");
}

/** A compiled program as the supervisor keeps it. */
export interface StoredProgram {
  readonly ir: ProgramIR;
  /** the generated module's file */
  readonly moduleFile: string;
}

export function programSignature(module: string): string {
  return createHash("md5").update(module).digest("hex");
}

function programDir(stateDir: string, program: string, signature: string): string {
  return path.join(supervisorPaths(stateDir).programs, ...program.split("/"), signature);
}

/** Copies a compiled program into the state directory (so later edits of its files do not touch running code). */
export function storeProgram(stateDir: string, program: string, ir: ProgramIR, module: string): { signature: string; stored: StoredProgram } {
  const signature = programSignature(module);
  const dir = programDir(stateDir, program, signature);
  const moduleFile = path.join(dir, "module.js");
  if (!existsSync(moduleFile)) {
    writeAtomic(path.join(dir, "ir.json"), JSON.stringify(ir));
    writeAtomic(moduleFile, module);
  }
  return { signature, stored: { ir, moduleFile } };
}

export function loadStoredProgram(stateDir: string, program: string, signature: string): StoredProgram {
  const dir = programDir(stateDir, program, signature);
  const ir = JSON.parse(readFileSync(path.join(dir, "ir.json"), "utf8")) as ProgramIR;
  return { ir, moduleFile: path.join(dir, "module.js") };
}

export function statsFile(stateDir: string, fq: string): string {
  const slash = fq.lastIndexOf("/");
  return path.join(supervisorPaths(stateDir).stats, ...fq.slice(0, slash).split("/"), `${fq.slice(slash + 1)}.json`);
}
