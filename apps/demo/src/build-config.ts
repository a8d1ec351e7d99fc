/** What the build decided (see vite.config.ts): model, where its files come from, corpus mode. */
export interface DemoBuildConfig {
  /** `demo`: the multilingual corpus and a real model; `test`: fixture model and test corpus, no network. */
  readonly mode: 'demo' | 'test';
  /** Model id, e.g. `Xenova/multilingual-e5-small` or `webembed-fixtures/crosslingual-bert`. */
  readonly model: string;
  /** Model revision (git ref or commit) loaded from the Hub and stored in the fingerprint. Default `main`. */
  readonly modelRevision: string;
  /** Folder on this origin holding `<model id>/...` files (relative to the page), or `null` for the Hub. */
  readonly modelBase: string | null;
  /** Whether the engine may fetch from the Hugging Face Hub. */
  readonly allowRemoteModels: boolean;
  /** Weights dtype to load (`q8` by default). */
  readonly dtype: string;
  /** Folder on this origin holding onnxruntime-web's WASM runtime, relative to the page. */
  readonly ortBase: string;
  /**
   * A collection file (`pnpm webembed index`) to import on the first visit instead of embedding the
   * corpus, relative to the page (`prebuilt/docs.webembed`), or `null` (embed the bundled corpus).
   */
  readonly prebuiltIndex: string | null;
}
