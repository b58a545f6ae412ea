import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, formatDuration } from './createProgress';

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

describe('lines and none', () => {
  const capture = () => {
    const lines: string[] = [];
    return { lines, stream: { write: (s: string) => lines.push(s) } };
  };

  it('lines: one line per 10% of the work when the interval allows, none at the end but the summary', () => {
    const { lines, stream } = capture();
    const task = createProgress('lines', stream, 0).task('scoring', 20, 'groups');
    for (let done = 1; done <= 20; done++) task.update(done);
    task.stop('20 groups');
    expect(lines[0]).toBe('scoring: 0/20 groups\n');
    // 2/20 is the first 10%; then every 2 more, up to 18/20; 20/20 leaves it to the summary.
    expect(lines.slice(1, -1).map((l) => l.split(' ')[1])).toEqual(['2/20', '4/20', '6/20', '8/20', '10/20', '12/20', '14/20', '16/20', '18/20']);
    expect(lines[5]).toMatch(/^scoring: 10\/20 groups \(50%\), ETA \d+s\n$/);
    expect(lines.at(-1)).toMatch(/^scoring: 20 groups \(\d+s\)\n$/);
  });

  it('lines: with the default interval, quick updates print only the start and the summary', () => {
    const { lines, stream } = capture();
    const task = createProgress('lines', stream).task('epochs', 4, 'epochs');
    for (let e = 1; e <= 4; e++) task.update(e, 'loss 0.1');
    task.stop();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^epochs: done \(\d+s\)\n$/);
  });

  it('none: no task is shown, messages are', () => {
    const { lines, stream } = capture();
    const progress = createProgress('none', stream, 0);
    const task = progress.task('scoring', 3, 'groups');
    task.update(2);
    task.stop('3 groups');
    progress.log('pruned 3 of 3 groups');
    progress.close();
    expect(lines).toEqual(['pruned 3 of 3 groups\n']);
  });

  it('bars: log lines before, between and after tasks, and every summary, reach the stream', () => {
    const { lines, stream } = capture();
    const progress = createProgress('bars', Object.assign(stream, { isTTY: false }) as unknown as NodeJS.WritableStream);
    progress.log('backend: cpu');
    const scoring = progress.task('scoring', 4, 'groups');
    const reading = progress.task('reading', 2, 'images');
    scoring.update(2);
    progress.log('while drawing');
    reading.stop('2 images');
    scoring.stop('4 groups');
    progress.log('pruned 4 of 4 groups');
    progress.close();
    const text = lines.join('');
    const order = ['backend: cpu', 'while drawing', 'reading: 2 images (', 'scoring: 4 groups (', 'pruned 4 of 4 groups'].map((l) => text.indexOf(l));
    expect(order.every((at) => at >= 0), text).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});
