// Starting a supervisor in this process, as the daemon (`ramen supervisor`)
// or embedded in a foreground command (`ramen run --foreground`): the lock,
// the supervisor, its control socket; and stopping them all on a signal.

import { appendFileSync, mkdirSync } from "node:fs";
import * as path from "node:path";
import { ControlServer } from "../runtime/supervisor/control.js";
import { acquireSupervisorLock, releaseSupervisorLock, supervisorPaths } from "../runtime/supervisor/state.js";
import { Supervisor, type SupervisorLog, type SupervisorOptions } from "../runtime/supervisor/supervisor.js";
import { log } from "./log.js";

export interface Hosted {
  readonly supervisor: Supervisor;
  /** Stops the functions, closes the socket, releases the lock (once). */
  stop(): Promise<void>;
}

export async function hostSupervisor(options: Omit<SupervisorOptions, "log"> & { log?: SupervisorLog }): Promise<Hosted> {
  acquireSupervisorLock(options.stateDir);
  const supervisor = new Supervisor({ ...options, log: options.log ?? log });
  const server = new ControlServer(supervisor);
  try {
    await server.listen();
  } catch (e) {
    await supervisor.stop();
    releaseSupervisorLock(options.stateDir);
    throw e;
  }
  let stopping: Promise<void> | undefined;
  return {
    supervisor,
    stop: () =>
      (stopping ??= (async () => {
        await server.close();
        await supervisor.stop();
        releaseSupervisorLock(options.stateDir);
      })()),
  };
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolve(s);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}

/** The daemon's log: one file per day under log/supervisor/ (§1.9), each line with its time. */
export function fileLog(stateDir: string, debug: boolean): SupervisorLog {
  const dir = supervisorPaths(stateDir).log;
  mkdirSync(dir, { recursive: true });
  const write = (prefix: string, message: string) => {
    const d = new Date();
    const two = (n: number) => String(n).padStart(2, "0");
    const day = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
    appendFileSync(path.join(dir, day), `${two(d.getHours())}h${two(d.getMinutes())}m${two(d.getSeconds())}: ${prefix}${message}\n`);
  };
  return {
    info: (m) => write("", m),
    debug: (m) => debug && write("", m),
    warning: (m) => write("(W) ", m),
    error: (m) => write("(E) ", m),
  };
}
