/**
 * What the runner reads back from a step: the file commands (GITHUB_OUTPUT, GITHUB_STATE,
 * GITHUB_ENV, GITHUB_PATH) and the workflow commands printed on stdout (::error::, ::add-mask::...).
 */

/** Parses `name=value` lines and `name<<DELIM` heredocs, as the runner does. */
export function parseKeyValueFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    const eq = line.indexOf('=');
    if (heredoc && (eq < 0 || eq > line.indexOf('<<'))) {
      const [, name, delim] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      i++;
      while (i < lines.length && lines[i] !== delim) value.push(lines[i++] as string);
      if (i >= lines.length) throw new Error(`Matching delimiter not found '${delim}'`);
      out[name] = value.join('\n');
    } else if (eq > 0) {
      out[line.slice(0, eq)] = line.slice(eq + 1);
    } else {
      throw new Error(`Invalid file command line: ${line}`);
    }
  }
  return out;
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
  title?: string;
}

export interface StdoutCommands {
  annotations: Annotation[];
  masks: string[];
  debug: string[];
  /** Lines that were not commands (the visible log). */
  log: string[];
}

const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProp = (s: string) => unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',');

/** Reads `::command key=value,...::data` lines from a step's stdout. */
export function parseStdoutCommands(stdout: string): StdoutCommands {
  const result: StdoutCommands = { annotations: [], masks: [], debug: [], log: [] };
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) {
      if (line !== '') result.log.push(line);
      continue;
    }
    const [, command, props = '', data = ''] = m as unknown as [string, string, string?, string?];
    const properties: Record<string, string> = {};
    for (const part of props.split(',').filter(Boolean)) {
      const eq = part.indexOf('=');
      if (eq > 0) properties[part.slice(0, eq)] = unescapeProp(part.slice(eq + 1));
    }
    if (command === 'error' || command === 'warning' || command === 'notice') {
      const a: Annotation = { level: command, message: unescapeData(data) };
      if (properties.file) a.file = properties.file;
      if (properties.line) a.line = Number(properties.line);
      if (properties.endLine) a.endLine = Number(properties.endLine);
      if (properties.col) a.col = Number(properties.col);
      if (properties.title) a.title = properties.title;
      result.annotations.push(a);
    } else if (command === 'add-mask') {
      result.masks.push(unescapeData(data));
    } else if (command === 'debug') {
      result.debug.push(unescapeData(data));
    } else {
      result.log.push(line);
    }
  }
  return result;
}
