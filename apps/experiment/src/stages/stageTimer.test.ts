import { describe, expect, it } from 'vitest';
import { createStageTimer, STAGES } from './stageTimer.js';

describe('createStageTimer', () => {
  it('adds up a stage run several times, counts a running stage, and adds the total', async () => {
    let clock = 0;
    const timer = createStageTimer(() => clock);
    await timer.stage('train', async () => {
      clock += 1500;
    });
    await timer.stage('train', async () => {
      clock += 500;
    });
    await expect(
      timer.stage('sweep', async () => {
        clock += 250;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    let inside: Record<string, number> = {};
    await timer.stage('report', async () => {
      clock += 125;
      inside = timer.timings();
    });
    expect(inside).toEqual({ train: 2, sweep: 0.25, report: 0.125, total: 2.375 });
    expect(Object.keys(timer.timings())).toEqual(['train', 'sweep', 'report', 'total']);
  });

  it('names the stages of the pipeline in order', () => {
    expect(STAGES).toEqual(['data', 'train', 'statistics', 'rank', 'sweep', 'controls', 'export', 'costs', 'report']);
  });
});
