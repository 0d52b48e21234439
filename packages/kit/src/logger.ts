/**
 * The one logging port of the suite. Packages log through a Logger they are given; the
 * actions pass `actionsLogger`, the adapter to the workflow commands the runner reads
 * (commands.ts), and tests a `bufferLogger` they can read. Only kit writes workflow commands
 * (scripts/layers.mjs holds the other packages to it).
 */
import * as runner from './commands.js';

export interface Logger {
  info(line: string): void;
  warning(line: string): void;
  error(line: string): void;
  /** A notice annotation: shown on the run's summary page. */
  notice(line: string): void;
  debug(line: string): void;
  /** Runs `fn` inside a collapsible group of the log. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Masks a value in every later line of the log. */
  secret(value: string): void;
}

export const actionsLogger: Logger = {
  info: (line) => runner.info(line),
  warning: (line) => runner.warning(line),
  error: (line) => runner.error(line),
  notice: (line) => runner.notice(line),
  debug: (line) => runner.debug(line),
  group: (name, fn) => runner.group(name, fn),
  secret: (value) => runner.setSecret(value),
};

/** A logger that says nothing (library callers that want no log). */
export const silentLogger: Logger = {
  info: () => undefined,
  warning: () => undefined,
  error: () => undefined,
  notice: () => undefined,
  debug: () => undefined,
  group: (_name, fn) => fn(),
  secret: () => undefined,
};

/** A logger that keeps every line (`level: text`) for tests and for quiet runs. */
export function bufferLogger(): Logger & { lines: string[]; secrets: string[] } {
  const lines: string[] = [];
  const secrets: string[] = [];
  return {
    lines,
    secrets,
    info: (line) => void lines.push(`info: ${line}`),
    warning: (line) => void lines.push(`warning: ${line}`),
    error: (line) => void lines.push(`error: ${line}`),
    notice: (line) => void lines.push(`notice: ${line}`),
    debug: (line) => void lines.push(`debug: ${line}`),
    group: async (name, fn) => {
      lines.push(`group: ${name}`);
      try {
        return await fn();
      } finally {
        lines.push('endgroup');
      }
    },
    secret: (value) => void secrets.push(value),
  };
}
