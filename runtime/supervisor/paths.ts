// The supervisor's paths in the state directory (cli-runtime.md §1.5), in a
// module that imports nothing heavy: clients (ramen ps, tail…) need them.

import * as path from "node:path";

export function supervisorPaths(stateDir: string) {
  return {
    pid: path.join(stateDir, "supervisor.pid"),
    socket: path.join(stateDir, "supervisor.sock"),
    runningConfig: path.join(stateDir, "running-config.json"),
    programs: path.join(stateDir, "programs", "v1"),
    stats: path.join(stateDir, "stats", "v1"),
    notifications: path.join(stateDir, "alerting", "notifications.jsonl"),
    contacts: path.join(stateDir, "alerting", "contacts.json"),
    log: path.join(stateDir, "log", "supervisor"),
  };
}
