// Runs the commands of Exec contacts through `/bin/sh -c`, a few at a time
// (cli-runtime.md §1.8): the rest wait in order. A failure is logged, never
// thrown: one broken contact must not stop the alerter.

import { spawn } from "node:child_process";
import { diag } from "../../grammar/diagnostics.js";

export const MAX_RUNNING_COMMANDS = 5;

/** How much of a failed command's stderr goes into the log line. */
const STDERR_TAIL = 500;

export interface ExecLog {
  error(message: string): void;
}

interface Job {
  readonly contact: string;
  readonly command: string;
}

export class ExecPool {
  private readonly waiting: Job[] = [];
  private runningCount = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly log: ExecLog,
    private readonly maxRunning: number = MAX_RUNNING_COMMANDS,
  ) {}

  /** Runs `command` for `contact` now, or once fewer than the maximum are running. */
  run(contact: string, command: string): void {
    this.waiting.push({ contact, command });
    this.startWaiting();
  }

  get running(): number {
    return this.runningCount;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves once no command runs or waits. */
  idle(): Promise<void> {
    if (this.runningCount === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private startWaiting(): void {
    while (this.runningCount < this.maxRunning && this.waiting.length > 0) this.start(this.waiting.shift()!);
    if (this.runningCount === 0 && this.waiting.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private start(job: Job): void {
    this.runningCount++;
    let finished = false;
    // 'error' and 'close' may both come for one process; only the first counts.
    const finish = (failure?: string): void => {
      if (finished) return;
      finished = true;
      if (failure !== undefined) {
        this.log.error(diag("alerterExecFailed", { contact: job.contact, command: JSON.stringify(job.command), reason: failure }).message);
      }
      this.runningCount--;
      this.startWaiting();
    };
    try {
      const child = spawn("/bin/sh", ["-c", job.command], { stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.setEncoding("utf8");
      child.stderr.on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-STDERR_TAIL)));
      child.on("error", (e) => finish(`could not start: ${e.message}`));
      child.on("close", (code, signal) => {
        const output = stderr.trim() === "" ? "" : `: ${stderr.trim()}`;
        if (signal !== null) finish(`was killed by ${signal}${output}`);
        else if (code !== 0) finish(`exited with code ${code}${output}`);
        else finish();
      });
    } catch (e) {
      // spawn throws at once on arguments it cannot pass, such as a NUL byte in the command
      queueMicrotask(() => finish(`could not start: ${(e as Error).message}`));
    }
  }
}
