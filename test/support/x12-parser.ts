/**
 * Reads X12 text with the independent `x12-parser` stream (not our own reader), so tests check generated 837P and
 * 835 files against a parser that shares no code with the writer.
 */
import { X12parser, type FormattedSegment } from 'x12-parser';

export type { FormattedSegment };

/** Every segment of the text, as x12-parser emits it (elements keyed by position: '1', '1-1', …). */
export async function parseX12Independently(text: string): Promise<FormattedSegment[]> {
  const parser = new X12parser();
  const out: FormattedSegment[] = [];
  const done = new Promise<void>((resolve, reject) => {
    parser.on('data', (s: FormattedSegment) => out.push(s));
    parser.on('end', () => resolve());
    parser.on('error', reject);
  });
  parser.end(text);
  await done;
  // x12-parser emits an empty trailing segment when the text ends with a line break.
  return out.filter((s) => s.name !== '');
}
