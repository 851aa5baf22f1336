// A picture from the phone's camera or files, as the hub takes it (Photo in
// hub/src/program/mod.rs: `image/jpeg`, `image/png` or `image/webp`, base64,
// at most 4 MB, six a step). A camera's picture is made smaller first: it
// waits in localStorage (a few MB in all) until it is sent.

import type { Photo } from './programtypes';

/** Pictures one round, report or step may carry (MAX_PHOTOS). */
export const MAX_PHOTOS = 6;
/** The hub's largest picture (MAX_PHOTO_BYTES). */
const MAX_BYTES = 4 << 20;
/** The longest side a picture is scaled to: plenty to see a fault. */
const LONGEST_SIDE = 1600;
const QUALITY = 0.8;
const TYPES = ['image/jpeg', 'image/png', 'image/webp'];

function dataOf(url: string): string {
  return url.slice(url.indexOf(',') + 1);
}

function readAsDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error ?? new Error('the file could not be read'));
    r.readAsDataURL(blob);
  });
}

async function scaled(file: Blob): Promise<Blob | null> {
  if (typeof createImageBitmap !== 'function') return null;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return null;
  }
  const k = Math.min(1, LONGEST_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * k));
  canvas.height = Math.max(1, Math.round(bitmap.height * k));
  const g = canvas.getContext('2d');
  if (g === null) return null;
  g.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve) => canvas.toBlob((b) => resolve(b), 'image/jpeg', QUALITY));
}

/** The picture in `file` as a Photo; throws when it is no picture the hub takes. */
export async function photoOf(file: Blob): Promise<Photo> {
  const small = await scaled(file);
  const blob = small ?? file;
  const type = small !== null ? 'image/jpeg' : file.type;
  if (!TYPES.includes(type)) throw new Error(`not a JPEG, PNG or WebP picture (${type || 'unknown type'})`);
  if (blob.size === 0 || blob.size > MAX_BYTES) throw new Error(`${blob.size} bytes; at most ${MAX_BYTES}`);
  return { content_type: type, data: dataOf(await readAsDataUrl(blob)) };
}

/** A Photo shown back to the person before it is sent. */
export function photoUrl(p: Photo): string {
  return `data:${p.content_type};base64,${p.data}`;
}
