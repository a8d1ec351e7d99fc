/**
 * The demo's test build, served by `vite preview` (as `pnpm --filter @webembed/demo preview:test`)
 * from inside the test process, so a spec can stop it (the network is gone, for every engine) and
 * start it again on the same origin. Two test-only additions, the same in every engine:
 *
 * - every HTML page gets `<script src="/__e2e__/probe.js">` first in its head: it records uncaught
 *   errors, Content-Security-Policy violations, each text the indexing progress line shows and how
 *   many documents this tab has loaded (`window.__e2e`), which Playwright's init scripts did for
 *   Chromium alone;
 * - files put in {@link DemoServer.files} are served under `/prebuilt-e2e/<name>`.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PreviewServer, preview } from 'vite';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const demoRoot = join(repoRoot, 'apps', 'demo');

/** Where the demo's test build for `port` lives (relative to apps/demo), one folder per port. */
export function testBuildDir(port: number): string {
  return `test-build/port-${port}/dist`;
}

/** The probe, run before the app's own scripts. Kept in plain ES2017 for every engine. */
const PROBE = `(() => {
  // Documents loaded in this tab so far (sessionStorage survives reloads): the service worker's
  // one reload for isolation shows as 2.
  const loads = Number(sessionStorage.getItem('__e2eLoads') || '0') + 1;
  sessionStorage.setItem('__e2eLoads', String(loads));
  const state = { errors: [], progress: [], loads };
  window.__e2e = state;
  addEventListener('error', (e) => state.errors.push('pageerror: ' + (e.message || String(e.error))));
  addEventListener('unhandledrejection', (e) => state.errors.push('unhandledrejection: ' + String(e.reason && e.reason.message || e.reason)));
  document.addEventListener('securitypolicyviolation', (e) =>
    state.errors.push('Content Security Policy: refused ' + e.blockedURI + ' (' + e.violatedDirective + ')'));
  new MutationObserver(() => {
    const el = document.getElementById('progress-index-text');
    const text = el && el.textContent;
    if (text && state.progress[state.progress.length - 1] !== text) state.progress.push(text);
  }).observe(document, { subtree: true, childList: true, characterData: true });
})();
`;

/** The running server. */
export interface DemoServer {
  /** `http://127.0.0.1:<port>/` */
  readonly origin: string;
  /** Extra files served under `/prebuilt-e2e/<name>` (404 for names not here). */
  readonly files: Map<string, Buffer>;
  /** Stops serving: every request to the origin fails from now on (connections refused). */
  stop(): Promise<void>;
  /** Serves again on the same port. */
  start(): Promise<void>;
  readonly running: boolean;
}

function e2eRoutes(outDir: string, files: Map<string, Buffer>) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/__e2e__/probe.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
      res.end(PROBE);
      return;
    }
    if (path.startsWith('/prebuilt-e2e/')) {
      const body = files.get(decodeURIComponent(path.slice('/prebuilt-e2e/'.length)));
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/octet-stream' });
      res.end(body ?? 'not found');
      return;
    }
    if (path === '/' || path === '/index.html') {
      const html = readFileSync(join(outDir, 'index.html'), 'utf8').replace(
        /<head>/i,
        '<head><script src="/__e2e__/probe.js"></script>',
      );
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
      res.end(html);
      return;
    }
    next();
  };
}

/** Serves the (already built) test build on `port`. */
export async function startDemoServer(port: number): Promise<DemoServer> {
  const outDir = join(demoRoot, testBuildDir(port));
  const files = new Map<string, Buffer>();
  // apps/demo/vite.config.ts reads the output folder from here.
  process.env.WEBEMBED_TEST_OUT = testBuildDir(port);
  // Vite warns on every start that the demo's config imports without file extensions.
  process.env.VITE_CONFIG_NATIVE_IGNORE_WARNING ??= 'true';
  let server: PreviewServer | null = null;
  const start = async () => {
    server = await preview({
      root: demoRoot,
      configFile: join(demoRoot, 'vite.config.ts'),
      mode: 'test',
      logLevel: 'warn',
      preview: { host: '127.0.0.1', port, strictPort: true, open: false },
      plugins: [
        {
          name: 'webembed-e2e-routes',
          configurePreviewServer(s) {
            s.middlewares.use(e2eRoutes(outDir, files));
          },
        },
      ],
    });
  };
  await start();
  return {
    origin: `http://127.0.0.1:${port}/`,
    files,
    get running() {
      return server !== null;
    },
    async stop() {
      const current = server;
      server = null;
      await current?.close();
    },
    async start() {
      if (!server) await start();
    },
  };
}
