import { readFileSync } from 'node:fs';

/**
 * The specimen holder's photo. Its own module so that a bundle (the desktop build) can swap in
 * the bytes themselves: a bundled file has no assets folder beside it.
 */
export function specimenPhoto(): Uint8Array {
  return Uint8Array.from(readFileSync(new URL('../../assets/specimen.jpg', import.meta.url)));
}
