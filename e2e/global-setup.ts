/**
 * Builds what the specs serve, once per run: the fixture models and the demo's test build (fixture
 * model and test corpus from this origin, no network), in a folder of its own for this port.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { testBuildDir } from './demo-server.ts';
import { e2ePort, repoRoot, SUPPORT_DIR } from './run-config.ts';

export default function globalSetup(): void {
  // Support facts are recorded afresh by this run's specs.
  rmSync(SUPPORT_DIR, { recursive: true, force: true });
  const run = (args: string[], env: Record<string, string> = {}) =>
    execFileSync('pnpm', args, { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, ...env } });
  run(['--filter', '@webembed/engine', 'run', 'fixtures']);
  run(['--filter', '@webembed/demo', 'run', 'build:test'], { WEBEMBED_TEST_OUT: testBuildDir(e2ePort) });
}
