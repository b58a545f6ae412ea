/** Where the command says what it is doing: one line per phase, updated in place on a terminal. */
export interface Progress {
  /** A new phase (`loading the model`), or an update of the current one (`scoring 12/52`). */
  update(text: string): void;
  /** A finished phase's line, kept. */
  done(text: string): void;
  /** Ends an open terminal line (before an error message or the report is printed). */
  close(): void;
}

/**
 * Progress on a stream (stderr): on a terminal (`auto`) the current line is rewritten; otherwise (`lines`, logs, CI)
 * updates are printed at most every `intervalMs`, and every finished phase once; `none` prints nothing. Give one to
 * `runPrune` (its `progress` option) to send the command's progress elsewhere.
 *
 * @param mode - `auto` (rewrite the line on a terminal, else as `lines`), `lines` or `none`.
 * @param stream - where the lines go (default `process.stderr`): anything with `write`, and `isTTY` for `auto`.
 * @param intervalMs - least time between two printed updates when not on a terminal (default 1000).
 * @returns The progress: `update`, `done` and `close`.
 *
 * @example
 * ```ts
 * import { createProgress } from '@prune/cli';
 *
 * const lines: string[] = [];
 * const progress = createProgress('lines', { write: (s: string) => lines.push(s) }, 0);
 * progress.update('scoring channels (l1-norm): group 1/52');
 * progress.done('pruned 52 of 52 groups');
 * progress.close();
 * // lines: ['scoring channels (l1-norm): group 1/52\n', 'pruned 52 of 52 groups\n']
 * ```
 */
export function createProgress(mode: 'auto' | 'lines' | 'none', stream: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean } = process.stderr, intervalMs = 1000): Progress {
  if (mode === 'none') return { update() {}, done() {}, close() {} };
  const tty = mode === 'auto' && stream.isTTY === true;
  let last = 0;
  let open = false;
  return {
    update(text) {
      if (tty) {
        stream.write(`\r\x1b[K${text}`);
        open = true;
        return;
      }
      const now = Date.now();
      if (now - last < intervalMs) return;
      last = now;
      stream.write(`${text}\n`);
    },
    done(text) {
      stream.write(`${tty && open ? '\r\x1b[K' : ''}${text}\n`);
      open = false;
      last = 0;
    },
    close() {
      if (tty && open) stream.write('\n');
      open = false;
    },
  };
}
