// Runs the built `ramen` command (dist/, made by `npm run build` before the
// tests) as a user would, and captures its output and exit code.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const MAIN = path.join(REPO, "dist/cli/main.js");

export interface RamenResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function ramen(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): RamenResult {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: opts.cwd ?? REPO,
    encoding: "utf8",
    env: { ...process.env, RAMEN_DONT_LOG_TIME: "1", RAMEN_PATH: "", ...opts.env },
    timeout: 60_000,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary directory, removed by the returned cleanup function. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), "ramen-test-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Polls `probe` every 200 ms until it gives a value; fails after the timeout, saying what it waited for. */
export async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A `ramen supervisor --stdout` daemon on the state directory of `env` (extra arguments after the command). */
export function startDaemon(env: Record<string, string>, args: readonly string[] = [], globals: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, [MAIN, ...globals, "supervisor", "--stdout", ...args], { env: { ...process.env, ...env }, stdio: "ignore" });
}

/** Waits until a supervisor answers on the state directory of `env` (`ramen ps` succeeds). */
export function supervisorAnswers(env: Record<string, string>, what = "the supervisor"): Promise<true> {
  return until(what, () => (ramen(["ps"], { env }).status === 0 ? true : undefined));
}

/** Sends `signal` to a child process still running and waits for its exit. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill(signal);
  await exited;
}

/**
 * A temporary directory with a supervisor daemon on its `state/` for the
 * tests of the enclosing describe: `before` writes files, the daemon starts
 * and answers, `ready` (running programs…) follows; after the tests the
 * daemon stops and the directory goes.
 */
export function daemonForTests(
  setup: { readonly before?: (dir: string) => void; readonly ready?: (dir: string) => Promise<void> | void } = {},
): { readonly dir: string; readonly stateDir: string; readonly env: Record<string, string> } {
  const { dir, cleanup } = tempDir();
  const stateDir = path.join(dir, "state");
  const env = { RAMEN_DIR: stateDir };
  let daemon: ChildProcess | undefined;
  beforeAll(async () => {
    setup.before?.(dir);
    daemon = startDaemon(env);
    await supervisorAnswers(env);
    await setup.ready?.(dir);
  });
  afterAll(async () => {
    if (daemon) await stopProcess(daemon);
    cleanup();
  });
  return { dir, stateDir, env };
}
