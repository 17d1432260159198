import { type DestinationStream, pino } from "pino";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * One JSON line per event — `{"level":"info","time":"…","message":"…",…fields}`
 * — on stdout (pino: serialised without blocking on a slow reader, never a
 * crash on a cyclic field), or through `write` (tests). Secrets cannot leak
 * through it: config secrets are `Secret` objects that serialise as
 * "[redacted]", and no caller logs a prompt, an answer or a key.
 */
export function createLogger(minimum: LogLevel, write?: (line: string) => void): Logger {
  const destination: DestinationStream | undefined = write && { write: (line) => write(line.trimEnd()) };
  const base = pino(
    {
      level: minimum,
      base: undefined,
      messageKey: "message",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    // Synchronous, like process.stdout on a pipe: a line is out before a long synchronous step
    // (an embedded first start copying its data directory) or an exit, never held back behind them.
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
  const log = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (fields) base[level](fields, message);
    else base[level](message);
  };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
