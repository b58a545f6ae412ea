import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, formatDuration } from './createProgress.js';

describe('progress', () => {
  it('formats durations', () => {
    expect(formatDuration(42.4)).toBe('42s');
    expect(formatDuration(185)).toBe('3m05s');
    expect(formatDuration(3720)).toBe('1h02m');
    expect(formatDuration(Number.NaN)).toBe('?');
  });

  it('prints plain lines when not on a terminal: start, summary, logs', () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (d: Buffer) => (text += d.toString()));
    const progress = createProgress('auto', stream as unknown as NodeJS.WriteStream);
    const task = progress.task('epoch 1/2', 10, 'batches');
    task.update(3, 'loss 0.5');
    progress.log('backend: wasm');
    task.stop('loss 0.4');
    task.update(5); // after stop: ignored
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('epoch 1/2: 0/10 batches');
    expect(lines[1]).toBe('backend: wasm');
    expect(lines[2]).toMatch(/^epoch 1\/2: loss 0\.4 \(\d+s\)$/);
    expect(lines).toHaveLength(3);
  });
});
