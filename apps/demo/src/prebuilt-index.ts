/**
 * A prebuilt index: a collection file written by `pnpm webembed index` (the store's export
 * format), fetched with byte progress and imported in one call, so the first visit searches
 * without embedding the corpus. Another model's file is refused by the engine (`MODEL_MISMATCH`)
 * before anything is written.
 */
import { WebEmbedError } from '@webembed/core';

/** Bytes of the index file received so far; `total` is 0 while the size is unknown. */
export interface FetchProgress {
  readonly loaded: number;
  readonly total: number;
}

/** Meta key recording which prebuilt file the collection holds (written after the import succeeded). */
export const PREBUILT_MARK = 'prebuilt-index';

/** What {@link PREBUILT_MARK} stores. */
export interface PrebuiltMark {
  readonly collection: string;
  readonly url: string;
  readonly rows: number;
}

/** True when the stored mark says `collection` already holds the file at `url` with its rows intact. */
export function prebuiltIsCurrent(
  mark: PrebuiltMark | undefined,
  collection: string,
  url: string,
  storedRows: number,
): boolean {
  return mark?.collection === collection && mark.url === url && mark.rows > 0 && storedRows >= mark.rows;
}

/** The file name shown to people: the last path segment of the URL. */
export function indexFileName(url: string): string {
  const path = new URL(url).pathname;
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || url;
}

/**
 * Fetches a collection file, reporting bytes as they arrive.
 *
 * Throws `NOT_FOUND` for HTTP 404, `REMOTE_FAILED` for other HTTP errors or a failed request,
 * `CORRUPT_FILE` when fewer bytes arrive than `Content-Length` announced or the body is empty.
 *
 * @example
 * const bytes = await fetchIndexFile('prebuilt/docs.webembed', (p) => console.log(p.loaded, p.total));
 * await collection.import(bytes);
 */
export async function fetchIndexFile(
  url: string,
  onProgress: (p: FetchProgress) => void = () => {},
  fetchImpl: typeof fetch = fetch,
): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetchImpl(url);
  } catch (err) {
    throw new WebEmbedError('REMOTE_FAILED', `could not fetch the prebuilt index ${url}: ${String(err)}`, {
      url,
    });
  }
  if (!response.ok) {
    throw new WebEmbedError(
      response.status === 404 ? 'NOT_FOUND' : 'REMOTE_FAILED',
      `the prebuilt index ${url} answered HTTP ${response.status}; expected 200 with a .webembed file`,
      { url, status: response.status },
    );
  }
  const announced = Number(response.headers.get('Content-Length') ?? '0');
  const total = Number.isFinite(announced) && announced > 0 ? announced : 0;
  const parts: Uint8Array[] = [];
  let loaded = 0;
  onProgress({ loaded, total });
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      loaded += value.byteLength;
      onProgress({ loaded, total: Math.max(total, loaded) });
    }
  } else {
    const whole = new Uint8Array(await response.arrayBuffer());
    parts.push(whole);
    loaded = whole.byteLength;
    onProgress({ loaded, total: Math.max(total, loaded) });
  }
  if (loaded === 0 || (total > 0 && loaded < total)) {
    throw new WebEmbedError(
      'CORRUPT_FILE',
      `the prebuilt index ${url} ended after ${loaded} bytes; expected ${total > 0 ? total : 'a non-empty file'}`,
      { url, loaded, total },
    );
  }
  if (parts.length === 1) return parts[0];
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
}
