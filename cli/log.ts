// Terminal logging of interactive commands (cli-runtime.md §1.9): info and
// debug lines on stdout, warnings and errors on stderr with `(W) ` / `(E) `,
// each line prefixed by the local time `HHhMMmSS: ` unless disabled.

export interface LogOptions {
  quiet: boolean;
  debug: boolean;
  logTime: boolean;
}

let options: LogOptions = { quiet: false, debug: false, logTime: true };

export function configureLog(o: LogOptions): void {
  options = o;
}

function timePrefix(): string {
  if (!options.logTime) return "";
  const d = new Date();
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getHours())}h${two(d.getMinutes())}m${two(d.getSeconds())}: `;
}

export const log = {
  info(msg: string): void {
    if (!options.quiet) process.stdout.write(timePrefix() + msg + "\n");
  },
  debug(msg: string): void {
    if (options.debug) process.stdout.write(timePrefix() + msg + "\n");
  },
  warning(msg: string): void {
    process.stderr.write(timePrefix() + "(W) " + msg + "\n");
  },
  error(msg: string): void {
    process.stderr.write(timePrefix() + "(E) " + msg + "\n");
  },
};
