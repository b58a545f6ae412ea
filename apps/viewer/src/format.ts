/** Accuracy as shown everywhere on the page: four decimals, as the reference's table prints it. */
export function formatAccuracy(value: number): string {
  return value.toFixed(4);
}

/** A signed difference in percentage points, e.g. "−1.25 pp". */
export function formatDelta(delta: number): string {
  const pp = delta * 100;
  const sign = pp > 0.00005 ? '+' : pp < -0.00005 ? '−' : '±';
  return `${sign}${Math.abs(pp).toFixed(2)} pp`;
}

/** Seconds as "1.2 s", "3 min 05 s" or "120 ms". */
export function formatSeconds(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(Math.round(seconds - minutes * 60)).padStart(2, '0')} s`;
}

/** An integer with thin-space thousands separators. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US').replace(/,/g, '\u202f');
}

/** A score with 4 significant digits (scores span many magnitudes across criteria). */
export function formatScore(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 1e-3 && abs < 1e5 ? value.toPrecision(4) : value.toExponential(3);
}
