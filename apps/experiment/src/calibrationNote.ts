import type { RunConfig } from './runConfigSchema.js';

/** Why ranking on the test pairs is optimistic, printed when the reference's calibration is used. */
export const TEST_CALIBRATION_NOTE =
  'channels are ranked on the test pairs and accuracy is measured on the same pairs (as the reference does): the ranking has seen the evaluation data, so the curve is optimistic. Use --calibration train to rank on held-out train pairs.';
/** Printed with --calibration train. */
export const TRAIN_CALIBRATION_NOTE =
  'channels are ranked on held-out train pairs (images disjoint from the training subset and from the test set), so the test accuracy per K is an honest estimate: ranking on the test pairs would select channels on the evaluation data itself.';

/** The note for a calibration source (printed on every run and stored in results.json). */
export function calibrationNote(source: RunConfig['calibration']): string {
  return source === 'test' ? TEST_CALIBRATION_NOTE : TRAIN_CALIBRATION_NOTE;
}
