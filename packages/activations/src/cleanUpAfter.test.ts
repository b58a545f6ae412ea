import { describe, expect, it } from 'vitest';
import { cleanUpAfter, disposeEach } from './cleanUpAfter';

const fails = (message: string) => () => {
  throw new Error(message);
};

describe('cleanUpAfter', () => {
  it("returns the work's result after cleaning up, told the work did not fail", async () => {
    const told: boolean[] = [];
    expect(await cleanUpAfter(async () => 42, (failed) => void told.push(failed))).toBe(42);
    expect(told).toEqual([false]);
  });

  it("throws the work's error with the cleanup's as its cause when both fail", async () => {
    const error = await cleanUpAfter(async () => fails('out of memory')(), fails('dispose failed')).catch((e: Error) => e);
    expect(error.message).toBe('out of memory');
    expect((error.cause as Error).message).toBe('dispose failed');
  });

  it('adds the cleanup error to `suppressed` when the work error has a cause already', async () => {
    const work = async () => {
      throw new Error('loading failed', { cause: new Error('no such file') });
    };
    const error = (await cleanUpAfter(work, fails('dispose failed')).catch((e: Error) => e)) as Error & { suppressed?: Error[] };
    expect((error.cause as Error).message).toBe('no such file');
    expect(error.suppressed?.map((e) => e.message)).toEqual(['dispose failed']);
  });

  it('throws the cleanup error when only the cleanup fails', async () => {
    await expect(cleanUpAfter(async () => 1, fails('dispose failed'))).rejects.toThrow('dispose failed');
  });
});

describe('disposeEach', () => {
  it('disposes every item even after one fails, then throws the first error', () => {
    const disposed: number[] = [];
    const items = [0, 1, 2, 3].map((i) => ({
      dispose() {
        disposed.push(i);
        if (i === 1 || i === 2) throw new Error(`item ${i}`);
      },
    }));
    expect(() => disposeEach(items)).toThrow('item 1');
    expect(disposed).toEqual([0, 1, 2, 3]);
  });
});
