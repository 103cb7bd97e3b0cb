// Errors of command-line usage that are not about a RaQL source (bad option
// combinations, unknown names given on the command line): one line on
// stderr, exit 1 (cli-runtime.md §4).
export class UsageError extends Error {}
