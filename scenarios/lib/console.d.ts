// k6 provides `console` (log, info, warn, error, debug) in every context; @types/k6 does not
// declare it and the scenarios' tsconfig has no DOM lib.
declare const console: {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
};
