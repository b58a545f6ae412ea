import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseResults } from '@prune/report';
import { accuracyCsv } from './accuracyCsv.js';
import { labTable, labTableLine } from './labTable.js';
import { createProgress, formatDuration } from './progress.js';
import { sampleResults } from '../../../packages/report/src/test-utils/sampleResults.js';

describe('labTable', () => {
  it("prints the reference's lines exactly", () => {
    expect(labTableLine(1, 0.962)).toBe('K= 1 | Test Acc=0.9620');
    expect(labTableLine(31, 0.5345)).toBe('K=31 | Test Acc=0.5345');
    expect(labTable([0.97, 0.96, 0.5])).toBe('K= 1 | Test Acc=0.9600\nK= 2 | Test Acc=0.5000');
  });
});

describe('accuracyCsv', () => {
  it('has a row per K and mean, std and per-seed columns per criterion', () => {
    const results = parseResults(sampleResults({ seeds: [1, 2], criteria: ['mean', 'l1'] }), 'r.json');
    const lines = accuracyCsv(results).trim().split('\n');
    expect(lines[0]).toBe('k,accuracy_mean,std_mean,accuracy_mean_seed1,accuracy_mean_seed2,accuracy_l1,std_l1,accuracy_l1_seed1,accuracy_l1_seed2');
    expect(lines).toHaveLength(33);
    const row5 = lines[6]!.split(',').map(Number);
    const a = results.seedRuns[0]!.criteria[1]!.accuracy[5]!;
    const b = results.seedRuns[1]!.criteria[1]!.accuracy[5]!;
    expect(row5[0]).toBe(5);
    expect(row5[5]).toBeCloseTo((a + b) / 2, 6);
    expect(row5[6]).toBeCloseTo(Math.abs(a - b) / Math.sqrt(2), 6);
    expect(row5[7]).toBeCloseTo(a, 6);
  });
});

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
