/** The view a link reproduces: the what-if criterion and K, or a custom mask (channels off, 0-based). */
export interface ViewState {
  criterion?: string;
  k?: number;
  off?: number[];
}

/** Reads the view from the page's query (`criterion`, `k`, `off=3,7,12`); unknown or malformed values are dropped. */
export function readViewState(params: URLSearchParams, criteria: readonly string[], channels: number): ViewState {
  const state: ViewState = {};
  const criterion = params.get('criterion');
  if (criterion !== null && criteria.includes(criterion)) state.criterion = criterion;
  const k = Number(params.get('k'));
  if (params.has('k') && Number.isInteger(k) && k >= 0 && k < channels) state.k = k;
  const off = params.get('off');
  if (off !== null && off !== '') {
    const list = off.split(',').map(Number);
    if (list.every((c) => Number.isInteger(c) && c >= 0 && c < channels) && new Set(list).size === list.length && list.length < channels) state.off = list.sort((a, b) => a - b);
  }
  return state;
}

/** Writes the view into the address bar (keeping other parameters such as `run`), without a new history entry. */
export function writeViewState(state: ViewState): void {
  const url = new URL(location.href);
  for (const key of ['criterion', 'k', 'off']) url.searchParams.delete(key);
  if (state.criterion !== undefined) url.searchParams.set('criterion', state.criterion);
  if (state.off !== undefined) url.searchParams.set('off', state.off.join(','));
  else if (state.k !== undefined) url.searchParams.set('k', String(state.k));
  history.replaceState(null, '', url);
}
