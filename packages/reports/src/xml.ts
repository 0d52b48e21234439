/**
 * Streams an XML file through saxes (well-formedness checked, line numbers kept) in 1 MiB
 * chunks: memory is bounded by what a handler keeps, never by the file.
 */
import { createReadStream } from 'node:fs';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { ReportError } from './model.js';

export interface XmlHandler {
  open(tag: SaxesTagPlain): void;
  close(name: string): void;
  text(text: string): void;
}

export async function streamXml(file: string, handler: XmlHandler, display = file): Promise<void> {
  const parser = new SaxesParser({ position: true });
  let failure: ReportError | undefined;
  parser.on('error', (e) => {
    failure ??= new ReportError(display, `invalid XML: ${e.message.replace(/^(?:[^\n]*?:)?\d+:\d+: /, '')}`, parser.line);
    throw failure;
  });
  parser.on('opentag', (t) => handler.open(t as SaxesTagPlain));
  parser.on('closetag', (t) => handler.close(t.name));
  parser.on('text', (t) => handler.text(t));
  parser.on('cdata', (t) => handler.text(t));
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  try {
    let first = true;
    for await (const chunk of stream) {
      let text = chunk as string;
      if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
      parser.write(text);
    }
    parser.close();
  } catch (error) {
    stream.destroy();
    if (failure) throw failure;
    if (error instanceof ReportError) throw error;
    if ((error as NodeJS.ErrnoException).code) throw new ReportError(display, (error as Error).message);
    throw new ReportError(display, (error as Error).message, parser.line);
  }
}
