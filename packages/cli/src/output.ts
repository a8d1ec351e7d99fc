/**
 * The output side of `webembed index`: checked before any document is read or embedded, so a
 * mistyped `--out` costs nothing, and file-system failures turned into coded errors.
 *
 * @module
 */
import { open, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { WebEmbedError } from '@webembed/core';
import { journalPathFor } from './journal.js';

/**
 * A `WebEmbedError` for a failed file-system call on `path` (`NOT_FOUND` for a missing file or
 * folder, `QUOTA_EXCEEDED` for a full disk, `INVALID_ARGUMENT` for a path that is a folder, not
 * writable or otherwise unusable), or `cause` unchanged when it is no file-system error.
 */
export function fileSystemError(cause: unknown, path: string, action: string): unknown {
  const code = (cause as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string') return cause;
  const what =
    code === 'ENOENT' || code === 'ENOTDIR'
      ? 'NOT_FOUND'
      : code === 'ENOSPC' || code === 'EDQUOT'
        ? 'QUOTA_EXCEEDED'
        : 'INVALID_ARGUMENT';
  return new WebEmbedError(what, `cannot ${action} ${path}: ${code}`, { path, errno: code }, { cause });
}

async function kindOf(path: string): Promise<'missing' | 'folder' | 'file'> {
  try {
    return (await stat(path)).isDirectory() ? 'folder' : 'file';
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw fileSystemError(cause, path, 'inspect');
  }
}

/**
 * Checks that `out` can be written before any work starts: its folder exists (`NOT_FOUND`
 * otherwise), neither `out` nor its journal is a folder (`INVALID_ARGUMENT`), and a file can be
 * created beside it (a probe file is created and removed; `INVALID_ARGUMENT` when read-only or
 * not permitted).
 */
export async function checkOutputPath(out: string): Promise<void> {
  const folder = dirname(resolve(out));
  const folderKind = await kindOf(folder);
  if (folderKind !== 'folder') {
    throw new WebEmbedError(
      folderKind === 'missing' ? 'NOT_FOUND' : 'INVALID_ARGUMENT',
      `--out ${out}: the output folder ${folder} ${folderKind === 'missing' ? 'does not exist; create it first' : 'is a file, not a folder'}`,
      { path: folder },
    );
  }
  for (const path of [out, journalPathFor(out)]) {
    if ((await kindOf(path)) === 'folder') {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        `--out ${out}: ${path} is a folder; give the path of a file, such as ${resolve(out, 'index.webembed')}`,
        { path },
      );
    }
  }
  const probe = `${out}.probe-${process.pid}`;
  try {
    await (await open(probe, 'w')).close();
  } catch (cause) {
    throw fileSystemError(cause, folder, 'create files in');
  } finally {
    await rm(probe, { force: true });
  }
}
