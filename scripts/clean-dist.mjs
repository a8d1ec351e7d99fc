#!/usr/bin/env node
// Empties a package's dist/ before its build, so a published tarball never carries files of
// modules that no longer exist. Run from the package folder (`pnpm run build` does).
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
