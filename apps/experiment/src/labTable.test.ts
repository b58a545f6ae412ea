import { describe, expect, it } from 'vitest';
import { labTable, labTableLine } from './labTable.js';
describe('labTable', () => {
  it("prints the reference's lines exactly", () => {
    expect(labTableLine(1, 0.962)).toBe('K= 1 | Test Acc=0.9620');
    expect(labTableLine(31, 0.5345)).toBe('K=31 | Test Acc=0.5345');
    expect(labTable([0.97, 0.96, 0.5])).toBe('K= 1 | Test Acc=0.9600\nK= 2 | Test Acc=0.5000');
  });
});
