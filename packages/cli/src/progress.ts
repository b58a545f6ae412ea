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
 * updates are printed at most every `intervalMs`, and every finished phase once; `none` prints nothing.
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
