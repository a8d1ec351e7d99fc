// A model folder the server does not have: the dev server answers its own index.html for every
// missing file (a single-page app fallback), and open() must reject with a coded error that
// names the file URL, quickly, instead of hanging or failing to parse HTML.
import { env, open } from '@webembed/engine';

const out = document.getElementById('out') as HTMLElement;
env.localModelPath = '/no-models-here/';
env.allowRemoteModels = false;
const started = performance.now();
try {
  await open({ model: 'webembed-fixtures/crosslingual-bert', collection: 'never' });
  out.textContent = JSON.stringify({ error: null });
} catch (err) {
  const { code, message } = err as { code?: string; message: string };
  out.textContent = JSON.stringify({ error: { code, message }, ms: Math.round(performance.now() - started) });
}
