import { describe, expect, it } from 'vitest';
import { parseResults, type Headline } from '@prune/report';
import { sampleResults } from '../../../packages/report/src/test-utils/sampleResults';
import { headlineText } from './headline';

const results = parseResults(sampleResults(), 'r.json');
const headline = (latencyMs: Headline['latencyMs']): Headline => ({
  curve: 'mean',
  k: 5,
  channels: 32,
  baseline: 0.976,
  accuracy: 0.9665,
  lost: 0.0095,
  params: { before: 200_000, after: 170_000, saved: 0.15 },
  macs: { before: 1_000_000, after: 860_000, saved: 0.14 },
  latencyMs,
  rule: 'the largest K within 1 point',
});

describe('the headline sentence', () => {
  const what = `Pruning 5 of 32 ${results.layer.name} channels by mean saves 15% of the parameters, 14% of the MACs`;

  it('lists the latency among the savings when the pruned model ran faster', () => {
    const text = headlineText(results, headline({ before: 14, after: 11.9, saved: 0.15 }));
    expect(text).toBe(`${what} and 15% of the latency for 0.95 points of accuracy (0.9760 → 0.9665).`);
  });

  it('says plainly that the latency grew, with both times, instead of a negative saving', () => {
    const text = headlineText(results, headline({ before: 13.907, after: 20.923, saved: (13.907 - 20.923) / 13.907 }));
    expect(text).toBe(
      `Pruning 5 of 32 ${results.layer.name} channels by mean saves 15% of the parameters and 14% of the MACs for 0.95 ` +
        'points of accuracy (0.9760 → 0.9665); its measured latency grew 50% (13.9 ms → 20.9 ms).',
    );
    expect(text).not.toContain('-');
  });

  it('leaves latency out when K was not timed', () => {
    expect(headlineText(results, headline(null))).toBe(`${what.replace(', 14%', ' and 14%')} for 0.95 points of accuracy (0.9760 → 0.9665).`);
  });
});
