import cliProgress from 'cli-progress';
import type { ProgressMode } from './progressOption';


/** One long step with a known amount of work (images, groups, epochs, batches). */
export interface ProgressTask {
  /** Sets the work done so far, with an optional short status (e.g. `loss 0.31`). */
  update(done: number, status?: string): void;
  /** Ends the task, printing `label: summary (time)`. */
  stop(summary?: string): void;
}

/** Where a command says what it is doing: tasks with totals and ETA, and log lines. */
export interface Progress {
  /** Starts a task of `total` units. */
  task(label: string, total: number, unit: string): ProgressTask;
  /** Prints a log line (above any running bar). */
  log(line: string): void;
  /** Removes any bar; call before printing to stdout or printing an error. */
  close(): void;
}

/** Where progress is written: stderr, or anything with `write` (and `isTTY` for `auto`). */
export type ProgressStream = NodeJS.WritableStream | ProgressSink;

/** The least a progress stream needs: a `write`, and `isTTY` when `auto` should draw bars. */
export interface ProgressSink {
  /** Receives each chunk of text (lines end with a newline; bars rewrite the line). */
  write(text: string): unknown;
  /** True on a terminal: `auto` then draws bars. */
  isTTY?: boolean;
}

/**
 * Formats seconds as `42s`, `3m05s` or `1h02m` (`?` when unknown).
 *
 * @param seconds - a duration in seconds.
 * @returns The short text.
 *
 * @example
 * ```ts
 * import { formatDuration } from '@prune/cli/process';
 *
 * formatDuration(185); // '3m05s'
 * ```
 */
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

const elapsed = (started: number) => formatDuration((performance.now() - started) / 1000);

/** Bars on a terminal (cli-progress, with ETA), drawn on stderr so stdout keeps only the results. */
function barProgress(stream: ProgressStream): Progress {
  const multi = new cliProgress.MultiBar(
    {
      stream: stream as NodeJS.WritableStream,
      format: '{label} [{bar}] {percentage}% | {value}/{total} {unit} | ETA {etaText} | {status}',
      barCompleteChar: '█',
      barIncompleteChar: '░',
      barsize: 28,
      hideCursor: true,
      // `bars` asked for on a pipe: draw there too (else cli-progress drops the bars and the log lines with them).
      noTTYOutput: true,
      clearOnComplete: true,
      fps: 8,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  // cli-progress prints log lines only while a bar is drawn, and stop() drops those not yet drawn: with no task
  // running, lines go straight to the stream, and the last task's end draws what is pending before stopping.
  let running = 0;
  const write = (line: string) => void stream.write(`${line}\n`);
  const finish = () => {
    multi.update();
    multi.stop();
    running = 0;
  };
  return {
    task(label, total, unit) {
      const started = performance.now();
      const bar = multi.create(Math.max(total, 1), 0, { label: label.padEnd(12), unit, status: '', etaText: '…' });
      running += 1;
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
          const line = `${label}: ${summary ?? 'done'} (${elapsed(started)})`;
          if (running > 1) {
            running -= 1;
            multi.log(`${line}\n`);
            return;
          }
          finish();
          write(line);
        },
      };
    },
    log(line) {
      if (running > 0) multi.log(`${line}\n`);
      else write(line);
    },
    close() {
      if (running > 0) finish();
    },
  };
}

/**
 * Plain lines for logs and CI: a line at a task's start, then one each 10% of the work at most every `intervalMs`
 * (and at least every 30 s), and one at its end.
 */
function lineProgress(stream: ProgressStream, intervalMs: number): Progress {
  const write = (line: string) => void stream.write(`${line}\n`);
  return {
    task(label, total, unit) {
      const started = performance.now();
      let lastPrinted = started;
      let lastDone = 0;
      let stopped = false;
      write(`${label}: 0/${total} ${unit}`);
      return {
        update(done, status) {
          if (stopped) return;
          const now = performance.now();
          // Counted in whole units: 0.3 - 0.2 < 0.1 in floating point.
          const due = ((done - lastDone) * 10 >= total && now - lastPrinted >= intervalMs) || now - lastPrinted >= 30000;
          if (!due || done >= total) return;
          lastPrinted = now;
          lastDone = done;
          write(`${label}: ${done}/${total} ${unit} (${Math.round((done / total) * 100)}%), ETA ${formatDuration(etaSeconds(started, done, total))}${status ? `, ${status}` : ''}`);
        },
        stop(summary) {
          if (stopped) return;
          stopped = true;
          write(`${label}: ${summary ?? 'done'} (${elapsed(started)})`);
        },
      };
    },
    log: write,
    close() {},
  };
}

/**
 * The progress display of the project's commands (`prune`, `pnpm experiment`), for their `--progress` flag: `auto`
 * draws bars with ETA when the stream is a terminal and prints plain lines otherwise; `none` shows no tasks but
 * still prints log lines. Give one to `runPrune` (its `progress` option) to send the command's progress elsewhere.
 *
 * @param mode - `auto`, `bars`, `lines` or `none`.
 * @param stream - where it is written (default `process.stderr`): anything with `write`, and `isTTY` for `auto`.
 * @param intervalMs - in `lines` mode, least time between two lines of one task's progress (default 5000).
 * @returns The progress: `task`, `log` and `close`.
 *
 * @example
 * ```ts
 * import { createProgress } from '@prune/cli/process';
 *
 * const lines: string[] = [];
 * const progress = createProgress('lines', { write: (s: string) => lines.push(s) }, 0);
 * const scoring = progress.task('scoring channels (l1-norm)', 52, 'groups');
 * scoring.update(26);
 * scoring.stop('52 groups');
 * progress.log('pruned 52 of 52 groups');
 * progress.close();
 * // lines: 'scoring channels (l1-norm): 0/52 groups\n', '…: 26/52 groups (50%), ETA 0s\n',
 * //   '…: 52 groups (0s)\n', 'pruned 52 of 52 groups\n'
 * ```
 */
export function createProgress(mode: ProgressMode, stream: ProgressStream = process.stderr, intervalMs = 5000): Progress {
  if (mode === 'none') {
    const silentTask: ProgressTask = { update() {}, stop() {} };
    return { task: () => silentTask, log: (line) => void stream.write(`${line}\n`), close() {} };
  }
  if (mode === 'bars' || (mode === 'auto' && (stream as { isTTY?: boolean }).isTTY === true)) return barProgress(stream);
  return lineProgress(stream, intervalMs);
}
