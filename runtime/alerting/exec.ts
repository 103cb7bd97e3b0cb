// Runs the commands of Exec contacts through `/bin/sh -c`, a few at a time
// (cli-runtime.md §1.8): the rest wait in order. Commands of one sequence
// (the messages of one incident to one contact) run one after the other, so
// that a closing never overtakes its opening. A failure is logged, never
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
  readonly sequence: string | undefined;
}

export class ExecPool {
  private readonly waiting: Job[] = [];
  private runningCount = 0;
  /** sequences with a command running */
  private readonly busy = new Set<string>();
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly log: ExecLog,
    private readonly maxRunning: number = MAX_RUNNING_COMMANDS,
  ) {}

  /**
   * Runs `command` for `contact` now, or once fewer than the maximum are
   * running and the previous command of the same `sequence`, if any, finished.
   */
  run(contact: string, command: string, sequence?: string): void {
    this.waiting.push({ contact, command, sequence });
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
    for (let i = 0; i < this.waiting.length && this.runningCount < this.maxRunning; ) {
      const job = this.waiting[i]!;
      if (job.sequence !== undefined && this.busy.has(job.sequence)) {
        i++;
      } else {
        this.waiting.splice(i, 1);
        this.start(job);
      }
    }
    if (this.runningCount === 0 && this.waiting.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private start(job: Job): void {
    this.runningCount++;
    if (job.sequence !== undefined) this.busy.add(job.sequence);
    let finished = false;
    // 'error' and 'close' may both come for one process; only the first counts.
    const finish = (failure?: string): void => {
      if (finished) return;
      finished = true;
      if (failure !== undefined) {
        this.log.error(diag("alerterExecFailed", { contact: job.contact, command: JSON.stringify(job.command), reason: failure }).message);
      }
      this.runningCount--;
      if (job.sequence !== undefined) this.busy.delete(job.sequence);
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
