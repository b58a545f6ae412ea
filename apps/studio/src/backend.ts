import { getBackend, setBackend } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// The wasm binaries are bundled as local assets: the page loads them from its own folder, never from a CDN.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm?url';

export type StudioBackend = 'wasm' | 'webgl' | 'cpu';

let pathsSet = false;

/** Sets the asked backend (wasm from local binaries, webgl, or cpu), falling back to cpu with a note saying why. */
export async function useBackend(name: StudioBackend): Promise<{ backend: string; note: string }> {
  if (name === 'wasm' && !pathsSet) {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': new URL(wasmPlain, document.baseURI).href,
      'tfjs-backend-wasm-simd.wasm': new URL(wasmSimd, document.baseURI).href,
      'tfjs-backend-wasm-threaded-simd.wasm': new URL(wasmThreaded, document.baseURI).href,
    });
    pathsSet = true;
  }
  try {
    if (await setBackend(name)) return { backend: getBackend(), note: name === 'cpu' ? 'plain JavaScript' : name === 'wasm' ? 'WebAssembly' : 'the GPU through WebGL' };
  } catch {
    // fall through to cpu
  }
  await setBackend('cpu');
  return { backend: getBackend(), note: `${name} could not start in this browser; plain JavaScript instead` };
}
