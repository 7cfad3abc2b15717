/** Progress on a terminal (a bar when the size is known, a counter otherwise); silent when piped. */
import cliProgress from 'cli-progress';

export interface ProgressSink {
  update(label: string, done: number, total?: number): void;
  stop(): void;
}

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  if (!stream.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: ' {label} |{bar}| {percentage}% · {items} items',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(label, done, total) {
      const scale = total ?? Math.max(done, 1);
      if (!started) {
        bar.start(scale, 0, { label, items: 0 });
        started = true;
      }
      bar.setTotal(scale);
      bar.update(Math.min(done, scale), { label, items: done });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
