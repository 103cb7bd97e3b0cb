// The version of the control API's protocol (cli-runtime.md §1.4), in a module
// of its own so that clients load nothing else of the supervisor.
export const PROTOCOL_VERSION = 1;
