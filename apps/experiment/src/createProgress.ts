import cliProgress from 'cli-progress';
import type { ProgressMode } from './parseCli.js';

/** One long step with a known amount of work (batches, images, K values). */
export interface ProgressTask {
  /** Sets the work done so far, with an optional short status (e.g. `loss 0.31`). */
  update(done: number, status?: string): void;
  /** Ends the task, printing a summary line. */
  stop(summary?: string): void;
}

/** Progress display and log lines of the CLI: bars with ETA on a terminal, plain timestamped lines otherwise. */
export interface Progress {
  /** Starts a task of `total` units. */
  task(label: string, total: number, unit: string): ProgressTask;
  /** Prints a log line (above any running bar). */
  log(line: string): void;
  /** Removes any bar; call before printing to stdout. */
  close(): void;
}

/** Formats seconds as `42s`, `3m05s` or `1h02m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function etaSeconds(started: number, done: number, total: number): number {
  const elapsed = (performance.now() - started) / 1000;
  return done > 0 ? (elapsed / done) * (total - done) : Number.NaN;
}

/** Bars on a TTY (cli-progress, with ETA), drawn on stderr so stdout keeps only the results table. */
function barProgress(stream: NodeJS.WriteStream): Progress {
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: '{label} [{bar}] {percentage}% | {value}/{total} {unit} | ETA {etaText} | {status}',
      barCompleteChar: '█',
      barIncompleteChar: '░',
      barsize: 28,
      hideCursor: true,
      clearOnComplete: true,
      fps: 8,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    task(label, total, unit) {
      const started = performance.now();
      const bar = multi.create(Math.max(total, 1), 0, { label: label.padEnd(12), unit, status: '', etaText: '…' });
      let stopped = false;
      return {
        update(done, status) {
          if (stopped) return;
          bar.update(done, { status: status ?? '', etaText: formatDuration(etaSeconds(started, done, total)) });
        },
        stop(summary) {
          if (stopped) return;
          stopped = true;
          bar.stop();
          multi.remove(bar);
          multi.log(`${label}: ${summary ?? 'done'} (${formatDuration((performance.now() - started) / 1000)})\n`);
        },
      };
    },
    log(line) {
      multi.log(`${line}\n`);
    },
    close() {
      multi.stop();
    },
  };
}

/** Plain lines for logs and CI: a line at start, every 10% (at most every 5 s … at least every 30 s), and at the end. */
function lineProgress(stream: NodeJS.WritableStream): Progress {
  const write = (line: string) => stream.write(`${line}\n`);
  return {
    task(label, total, unit) {
      const started = performance.now();
      let lastPrinted = started;
      let lastFraction = 0;
      let stopped = false;
      write(`${label}: 0/${total} ${unit}`);
      return {
        update(done, status) {
          if (stopped) return;
          const now = performance.now();
          const fraction = total > 0 ? done / total : 1;
          const due = (fraction - lastFraction >= 0.1 && now - lastPrinted >= 5000) || now - lastPrinted >= 30000;
          if (!due || done >= total) return;
          lastPrinted = now;
          lastFraction = fraction;
          write(`${label}: ${done}/${total} ${unit} (${Math.round(fraction * 100)}%), ETA ${formatDuration(etaSeconds(started, done, total))}${status ? `, ${status}` : ''}`);
        },
        stop(summary) {
          if (stopped) return;
          stopped = true;
          write(`${label}: ${summary ?? 'done'} (${formatDuration((performance.now() - started) / 1000)})`);
        },
      };
    },
    log: write,
    close() {},
  };
}

/** The progress display for a mode: `auto` draws bars when stderr is a terminal and prints lines otherwise. */
export function createProgress(mode: ProgressMode, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (mode === 'none') {
    const silentTask: ProgressTask = { update() {}, stop() {} };
    return { task: () => silentTask, log: (line) => stream.write(`${line}\n`), close() {} };
  }
  if (mode === 'bars' || (mode === 'auto' && stream.isTTY)) return barProgress(stream);
  return lineProgress(stream);
}
