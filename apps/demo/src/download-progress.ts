/** Model download progress summed over files, and the WASM thread count the demo asks for. */
import type { LoadProgress } from '@webembed/engine';
import type { DownloadProgress } from './search-service';

/**
 * WASM threads to ask for: several when the page is cross-origin isolated and the browser has
 * SharedArrayBuffer (WebKitGTK has none even when isolated), one otherwise.
 */
export function threadsFor(isolated: boolean, cores: number, sharedMemory = true): number {
  return isolated && sharedMemory ? Math.max(1, Math.min(4, cores)) : 1;
}

/** Why WASM runs on one thread, in the page's words; null when threads are possible. */
export function singleThreadReason(isolated: boolean, sharedMemory: boolean): string | null {
  if (!isolated) return 'not cross-origin isolated';
  if (!sharedMemory) return 'no SharedArrayBuffer in this browser';
  return null;
}

/** Sums transformers.js download events over files. */
export function createDownloadTracker(onDownload: (p: DownloadProgress) => void) {
  const files = new Map<string, { loaded: number; total: number }>();
  return (event: LoadProgress) => {
    const file = event.file ?? '';
    if (event.status === 'progress' || event.status === 'download' || event.status === 'done') {
      const known = files.get(file) ?? { loaded: 0, total: 0 };
      const total = event.total ?? known.total;
      const loaded = event.status === 'done' ? total || known.loaded : (event.loaded ?? known.loaded);
      files.set(file, { loaded, total });
    }
    let loaded = 0;
    let total = 0;
    for (const f of files.values()) {
      loaded += f.loaded;
      total += f.total;
    }
    onDownload({ file, loaded, total, done: event.status === 'ready' });
  };
}
