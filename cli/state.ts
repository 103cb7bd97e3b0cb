// Where the state directory is and what this site is called (cli-runtime.md
// §1.5, §2): options first, then environment, then defaults.

import { homedir, hostname } from "node:os";
import * as path from "node:path";

export interface GlobalOptions {
  persistDir?: string;
  site?: string;
}

/** `--persist-dir`, else `$RAMEN_DIR` (commander reads it), else `~/.ramen`. */
export function stateDirOf(opts: GlobalOptions): string {
  return path.resolve(opts.persistDir ?? path.join(homedir(), ".ramen"));
}

/** `--site`, else `$HOSTNAME` (commander reads it), else the host name, else `master`. */
export function siteOf(opts: GlobalOptions): string {
  return opts.site || hostname() || "master";
}
