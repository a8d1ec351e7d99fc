import type { DemoBuildConfig } from '../src/build-config';

/** The build settings of `vite build --mode test` (fixture model on this origin), for unit tests. */
export const testBuild: DemoBuildConfig = {
  mode: 'test',
  model: 'webembed-fixtures/crosslingual-bert',
  modelRevision: 'main',
  modelBase: 'models/',
  allowRemoteModels: false,
  dtype: 'q8',
  ortBase: 'ort/',
  prebuiltIndex: null,
};
