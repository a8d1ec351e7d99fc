/**
 * A small W3C WebDriver client (classic HTTP protocol) and the launcher for WebKitGTK's MiniBrowser
 * through `WebKitWebDriver`. Only the commands the suites use are here; each answer's `error` is
 * turned into a {@link WebDriverError} naming the command.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { miniBrowserPath, webkitDriverPath, xvfbRunPath } from './engines.ts';

/** The W3C key under which an element reference travels. */
const ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';

/** An error answered by the WebDriver server, with the W3C error code (`no such element`, ...). */
export class WebDriverError extends Error {
  constructor(
    readonly command: string,
    readonly error: string,
    message: string,
  ) {
    super(`${command}: ${error}: ${message}`);
    this.name = 'WebDriverError';
  }
}

/** A reference to an element in the current page. */
export interface ElementRef {
  readonly [ELEMENT_KEY]: string;
}

/** One WebDriver session: one browser, with its windows. */
export interface WebDriverSession {
  /** The session's capabilities as the server answered them (browserName, browserVersion, ...). */
  readonly capabilities: Record<string, unknown>;
  /** Sends one command; `path` is relative to the session (`/url`, `/execute/sync`...). */
  command<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
  navigate(url: string): Promise<void>;
  refresh(): Promise<void>;
  /** Runs `script` (a function body; `arguments` holds `args`) and returns its value. */
  execute<T>(script: string, args?: unknown[]): Promise<T>;
  /** Runs `script` whose last argument is a callback; resolves with what it was called with. */
  executeAsync<T>(script: string, args?: unknown[]): Promise<T>;
  find(selector: string): Promise<ElementRef>;
  click(element: ElementRef): Promise<void>;
  /** Types `text` into an element (for a file input: the path of a file to pick). */
  sendKeys(element: ElementRef, text: string): Promise<void>;
  windowHandles(): Promise<string[]>;
  /** Opens a new tab, switches to it and returns its handle. */
  newTab(): Promise<string>;
  switchTo(handle: string): Promise<void>;
  /** Closes the current window; returns the handles left. */
  closeWindow(): Promise<string[]>;
  /** PNG of the current viewport. */
  screenshot(): Promise<Buffer>;
  /** Ends the session (the browser quits). */
  delete(): Promise<void>;
}

async function send<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let payload: { value?: unknown };
  try {
    payload = JSON.parse(text);
  } catch {
    throw new WebDriverError(
      `${method} ${path}`,
      'invalid answer',
      `HTTP ${res.status}: ${text.slice(0, 200)}`,
    );
  }
  const value = payload.value as { error?: string; message?: string } | undefined;
  if (!res.ok || (value && typeof value === 'object' && typeof value.error === 'string')) {
    throw new WebDriverError(
      `${method} ${path}`,
      value?.error ?? `HTTP ${res.status}`,
      value?.message ?? text.slice(0, 200),
    );
  }
  return payload.value as T;
}

/** Starts a session on a WebDriver server at `base` (e.g. `http://127.0.0.1:4444`). */
export async function createSession(
  base: string,
  capabilities: Record<string, unknown>,
): Promise<WebDriverSession> {
  const created = await send<{ sessionId: string; capabilities: Record<string, unknown> }>(
    base,
    'POST',
    '/session',
    { capabilities: { alwaysMatch: capabilities } },
  );
  const prefix = `/session/${created.sessionId}`;
  const command = <T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) =>
    send<T>(base, method, prefix + path, method === 'POST' ? (body ?? {}) : body);
  return {
    capabilities: created.capabilities,
    command,
    navigate: (url) => command('POST', '/url', { url }),
    refresh: () => command('POST', '/refresh'),
    execute: (script, args = []) => command('POST', '/execute/sync', { script, args }),
    executeAsync: (script, args = []) => command('POST', '/execute/async', { script, args }),
    find: (selector) => command('POST', '/element', { using: 'css selector', value: selector }),
    click: (element) => command('POST', `/element/${element[ELEMENT_KEY]}/click`),
    sendKeys: (element, text) => command('POST', `/element/${element[ELEMENT_KEY]}/value`, { text }),
    windowHandles: () => command('GET', '/window/handles'),
    async newTab() {
      const { handle } = await command<{ handle: string }>('POST', '/window/new', { type: 'tab' });
      await command('POST', '/window', { handle });
      return handle;
    },
    switchTo: (handle) => command('POST', '/window', { handle }),
    closeWindow: () => command('DELETE', '/window'),
    async screenshot() {
      return Buffer.from(await command<string>('GET', '/screenshot'), 'base64');
    },
    async delete() {
      await send(base, 'DELETE', prefix);
    },
  };
}

/** A free TCP port on 127.0.0.1 (asked from the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A running WebKitWebDriver with one MiniBrowser session. */
export interface WebKitBrowser {
  readonly session: WebDriverSession;
  /** `WebKitGTK 2.50.6` (from the session's capabilities). */
  readonly version: string;
  /** Process id of MiniBrowser (the browser the session drives). */
  browserPid(): number | null;
  /** Ends the session and stops the driver, its X server and the browser. */
  close(): Promise<void>;
}

function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
    return Promise.resolve();
  const pid = child.pid;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {}
    }, 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

async function waitReady(base: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited (${child.exitCode}): ${log()}`);
    try {
      const status = await send<{ ready: boolean }>(base, 'GET', '/status');
      if (status.ready) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`WebKitWebDriver did not answer at ${base} within 20 s: ${log()}`);
}

/**
 * Starts `xvfb-run -a WebKitWebDriver` on a free port and opens a MiniBrowser session. The driver
 * runs in its own process group, so {@link WebKitBrowser.close} stops Xvfb and the browser with it.
 */
export async function launchWebKit(options: { pageLoadTimeoutMs?: number } = {}): Promise<WebKitBrowser> {
  const port = await freePort();
  const child = spawn(
    xvfbRunPath,
    ['-a', '-s', '-screen 0 1280x1024x24', webkitDriverPath, `--port=${port}`],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitReady(base, child, () => output);
    const session = await createSession(base, {
      'webkitgtk:browserOptions': { binary: miniBrowserPath, args: ['--automation'] },
      // Confirm dialogs are accepted, as a user clicking OK would.
      unhandledPromptBehavior: 'accept',
      timeouts: { script: 300_000, pageLoad: options.pageLoadTimeoutMs ?? 120_000, implicit: 0 },
    });
    const version = `WebKitGTK ${String(session.capabilities.browserVersion ?? '?')}`;
    return {
      session,
      version,
      browserPid: () => findChild(child.pid ?? -1, miniBrowserPath),
      async close() {
        await session.delete().catch(() => undefined);
        await stopGroup(child);
      },
    };
  } catch (err) {
    await stopGroup(child);
    throw err;
  }
}

/** Pid of the first process under `rootPid` (any depth) whose command starts with `binary`. */
function findChild(rootPid: number, binary: string): number | null {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
  const under = new Set([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const row of rows) {
      if (!under.has(row.pid) && under.has(row.ppid)) {
        under.add(row.pid);
        grew = true;
      }
    }
  }
  return rows.find((row) => under.has(row.pid) && row.args.startsWith(binary))?.pid ?? null;
}
