/** Exit codes of the `hekate` command. */
export const EXIT = {
  OK: 0,
  /** A plugin or the pipeline failed at run time. */
  FAILURE: 1,
  /** Wrong command-line usage. */
  USAGE: 64,
  /** The configuration is invalid (sysexits EX_CONFIG). */
  CONFIG: 78,
} as const;
