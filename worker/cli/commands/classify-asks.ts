/** `rapport asks --classify`: one JSON line per stdin line, so anyone can check the ask classifier. */
import { createInterface } from 'node:readline';
import { type AskTextKind, classifyAsk } from '../../analysis/ask-classifier.js';

/**
 * Lines are read as subject lines by default, because that is how ingest judges every stored message;
 * `sentence` is for checking the classifier on body sentences, `auto` guesses from the line's shape.
 */
export async function classifyAsksCommand(
  input: NodeJS.ReadableStream = process.stdin,
  kind: AskTextKind = 'subject',
): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const text of lines) {
    const { ask, score } = classifyAsk(text, kind);
    process.stdout.write(`${JSON.stringify({ text, ask, score: Math.round(score * 1000) / 1000 })}\n`);
  }
}
