/**
 * Runtime configuration: what the build decided (model, file locations, corpus) plus what the URL
 * asks for (`?device=webgpu|wasm|auto`, `?sw=off`,
 * `?index=<same-origin url>`).
 */
import { WebEmbedError } from '@webembed/core';
import type { DemoBuildConfig } from './build-config';
import type { ChunkOptions } from './search-service';

declare const __WEBEMBED_DEMO__: DemoBuildConfig;

/** Devices the `?device=` URL parameter accepts. */
export type DeviceChoice = 'auto' | 'webgpu' | 'wasm';

/** Everything the app needs to start. */
export interface RuntimeConfig extends DemoBuildConfig {
  readonly device: DeviceChoice;
  /** Whether to register the service worker (`?sw=off` disables it, for debugging). */
  readonly serviceWorker: boolean;
  /** IndexedDB collection name; includes the model so two models never share one. */
  readonly collection: string;
  /** Chunking used for the user's documents. */
  readonly chunk: ChunkOptions;
  /** Absolute path of the model folder on this origin, or null when models come from the Hub. */
  readonly modelPath: string | null;
  /** Absolute URL of the ORT runtime folder on this origin. */
  readonly ortUrl: string;
  /**
   * Absolute URL of a prebuilt collection file to import instead of embedding the corpus
   * (`?index=` or the build's `prebuiltIndex`), or null.
   */
  readonly prebuiltIndexUrl: string | null;
  /**
   * How long the model load may make no progress before the engine retries it in a fresh worker
   * on one thread (`createEngine`'s `loadStallTimeoutMs`): 20 s for the test build's local fixture
   * model, else the library default (a first visit may fetch the 27 MB runtime on a slow link).
   */
  readonly loadStallTimeoutMs: number | undefined;
}

/** Reads `?device=`: `webgpu`, `wasm` or `auto` (default); anything else throws `INVALID_ARGUMENT` naming it. */
export function parseDevice(value: string | null): DeviceChoice {
  if (value === null || value === '' || value === 'auto') return 'auto';
  if (value === 'webgpu' || value === 'wasm') return value;
  throw new WebEmbedError('INVALID_ARGUMENT', `?device= must be webgpu, wasm or auto, got "${value}"`, {
    device: value,
  });
}

/**
 * Reads `?index=<url>`: a collection file on this page's origin (relative or absolute URL). Another
 * origin, or a value that is not a URL, throws `INVALID_ARGUMENT` naming it. Empty or missing: null.
 */
export function parseIndexUrl(value: string | null, page: URL): string | null {
  if (value === null || value.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(value, page);
  } catch {
    throw new WebEmbedError('INVALID_ARGUMENT', `?index= must be a URL on this origin, got "${value}"`, {
      index: value,
    });
  }
  if (url.origin !== page.origin) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `?index= must point to this origin (${page.origin}), got "${value}" on ${url.origin}`,
      { index: value, origin: url.origin },
    );
  }
  return url.href;
}

/** A collection name for a model id: letters, digits and dashes. */
export function collectionName(mode: string, model: string): string {
  return `demo-${mode}-${model.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

/** Combines the build's settings with the page URL. */
export function runtimeConfig(url: URL, build: DemoBuildConfig = __WEBEMBED_DEMO__): RuntimeConfig {
  const modelPath = build.modelBase === null ? null : new URL(build.modelBase, url).pathname;
  const fromUrl = parseIndexUrl(url.searchParams.get('index'), url);
  const prebuiltIndexUrl =
    fromUrl ?? (build.prebuiltIndex === null ? null : new URL(build.prebuiltIndex, url).href);
  const collection = collectionName(build.mode, build.model);
  return {
    ...build,
    device: parseDevice(url.searchParams.get('device')),
    serviceWorker: url.searchParams.get('sw') !== 'off',
    // A prebuilt index replaces its collection on import, so it never shares one with the corpus.
    collection: prebuiltIndexUrl === null ? collection : `${collection}-prebuilt`,
    chunk:
      build.mode === 'test' ? { maxTokens: 48, overlapTokens: 8 } : { maxTokens: 200, overlapTokens: 32 },
    modelPath,
    ortUrl: new URL(build.ortBase, url).href,
    prebuiltIndexUrl,
    loadStallTimeoutMs: build.mode === 'test' ? 20_000 : undefined,
  };
}
