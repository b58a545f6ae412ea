import { describe, expect, it } from 'vitest';
import { SchemaValidationError, formatIssuePath, parseResults } from './parseResults.js';
import { sampleResults } from './test-utils/sampleResults.js';

describe('parseResults', () => {
  it('accepts a valid results object, from text or value, and applies defaults', () => {
    const input = sampleResults({ seeds: [1, 2], criteria: ['mean', 'l1'] });
    const fromText = parseResults(JSON.stringify(input), 'results.json');
    const fromValue = parseResults(input, 'results.json');
    expect(fromText).toEqual(fromValue);
    expect(fromText.seedRuns).toHaveLength(2);
    expect(fromText.seedRuns[0]?.criteria[1]?.fineTune).toEqual([]);
    expect(fromText.summary.map((s) => s.criterion)).toEqual(['mean', 'l1']);
  });

  it('names the file and the path of a bad nested field', () => {
    const input = sampleResults();
    const run = input.seedRuns[0]!;
    run.criteria[0]!.order[3] = run.criteria[0]!.order[4]!; // no longer a permutation
    (run.test as { accuracy: number }).accuracy = 1.5;
    expect(() => parseResults(input, 'runs/x/results.json')).toThrowError(SchemaValidationError);
    try {
      parseResults(input, 'runs/x/results.json');
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('runs/x/results.json');
      expect(message).toContain("seedRuns[0].criteria[0].order': is not a permutation of 0 … 31");
      expect(message).toContain("seedRuns[0].test.accuracy'");
    }
  });

  it('checks the lengths of per-channel arrays and the mean map against the shape', () => {
    const input = sampleResults({ channels: 8, map: 4 });
    input.seedRuns[0]!.stats.meanMap.pop();
    input.seedRuns[0]!.stats.apoz.push(0);
    input.seedRuns[0]!.criteria[0]!.accuracy.pop();
    const problems = (() => {
      try {
        parseResults(input, 'r.json');
        return [];
      } catch (error) {
        return (error as SchemaValidationError).problems;
      }
    })();
    expect(problems).toEqual(
      expect.arrayContaining([
        "field 'seedRuns[0].stats.apoz': has 9 values, expected channels = 8",
        "field 'seedRuns[0].stats.meanMap': has 127 values, expected 8*4*4 = 128",
        "field 'seedRuns[0].criteria[0].accuracy': has 7 values (K = 0 … 7 expected 8)",
      ]),
    );
  });

  it('rejects another schema version, bad JSON, unknown config fields and missing fields', () => {
    expect(() => parseResults({ ...sampleResults(), schemaVersion: 1 }, 'old.json')).toThrow(
      /old\.json[\s\S]*schemaVersion': is 1, this reader understands version 2/,
    );
    expect(() => parseResults('{"schemaVersion": 1,', 'broken.json')).toThrow(/broken\.json[\s\S]*not valid JSON/);
    const extra = sampleResults({ controls: true });
    extra.seedRuns[0]!.controls!.oracle!.accuracy.pop();
    expect(() => parseResults(extra, 'r.json')).toThrow(/controls\.oracle\.accuracy': has 31 values, expected 32/);
    const { backend: _omitted, ...missing } = sampleResults();
    expect(() => parseResults(missing, 'r.json')).toThrow(/field 'backend'/);
  });

  it('formats paths with dots and indices', () => {
    expect(formatIssuePath(['a', 0, 'b', 2])).toBe('a[0].b[2]');
    expect(formatIssuePath([])).toBe('(root)');
  });
});
