/** `rapport asks --classify`: one JSON line per stdin line, so anyone can check the ask classifier. */
import { createInterface } from 'node:readline';
import { classifyAsk } from '../../analysis/ask-classifier.js';

export async function classifyAsksCommand(input: NodeJS.ReadableStream = process.stdin): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const text of lines) {
    const { ask, score } = classifyAsk(text);
    process.stdout.write(`${JSON.stringify({ text, ask, score: Math.round(score * 1000) / 1000 })}\n`);
  }
}
