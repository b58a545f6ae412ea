import { readFile } from 'node:fs/promises';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import type { RgbaImage } from '@prune/core';

/** Decodes a .jpg/.jpeg or .png file to RGBA pixels (pure JavaScript decoders); errors name the file. */
export async function decodeImage(file: string): Promise<RgbaImage> {
  const bytes = await readFile(file);
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { data: image.data, width: image.width, height: image.height };
    }
    if (bytes[0] === 0x89 && bytes.toString('latin1', 1, 4) === 'PNG') {
      const image = pngjs.PNG.sync.read(bytes);
      return { data: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.length), width: image.width, height: image.height };
    }
  } catch (error) {
    throw new Error(`${file}: could not decode the image (${(error as Error).message})`);
  }
  throw new Error(`${file}: neither a JPEG nor a PNG image; convert it or remove it from the folder`);
}
