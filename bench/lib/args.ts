/**
 * A tiny `--name value` / `--flag` command-line parser for the benchmarks, with typed errors
 * for unknown flags and bad values.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';

/** The type each known flag takes. */
export type FlagSpec = Record<string, 'string' | 'number' | 'boolean' | 'list'>;

/** Parsed flags: strings, numbers, booleans, or comma-separated lists. */
export type ParsedArgs = Record<string, string | number | boolean | string[] | undefined>;

/**
 * Parses `argv` against `spec`. `--name=value` and `--name value` both work; a `list` flag splits
 * on commas. Throws `INVALID_ARGUMENT` naming the flag for unknown flags, missing values and
 * numbers that are not positive finite numbers.
 */
export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const out: ParsedArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      throw new WebEmbedError('INVALID_ARGUMENT', `unexpected argument "${arg}"; expected --flag [value]`, {
        arg,
      });
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const type = spec[name];
    if (type === undefined) {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        `unknown flag --${name}; known flags: ${Object.keys(spec)
          .map((f) => `--${f}`)
          .join(', ')}`,
        { flag: name },
      );
    }
    if (type === 'boolean') {
      out[name] = eq === -1 ? true : arg.slice(eq + 1) !== 'false';
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) {
      throw new WebEmbedError('INVALID_ARGUMENT', `flag --${name} expects a ${type} value`, { flag: name });
    }
    if (type === 'number') {
      const n = Number(value.replace(/_/g, ''));
      if (!Number.isFinite(n) || n <= 0) {
        throw new WebEmbedError(
          'INVALID_ARGUMENT',
          `flag --${name} expects a positive number, got "${value}"`,
          {
            flag: name,
          },
        );
      }
      out[name] = n;
    } else if (type === 'list') {
      out[name] = value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    } else out[name] = value;
  }
  return out;
}

/** Parses a size such as `10000`, `10K`, `1M`, `100k`. Throws `INVALID_ARGUMENT` otherwise. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim().replace(/_/g, ''));
  if (!match) {
    throw new WebEmbedError('INVALID_ARGUMENT', `size "${text}" is not a number like 10000, 10K or 1M`, {
      text,
    });
  }
  const unit = match[2].toLowerCase();
  const n = Math.round(Number(match[1]) * (unit === 'k' ? 1e3 : unit === 'm' ? 1e6 : 1));
  if (n < 1) throw new WebEmbedError('INVALID_ARGUMENT', `size "${text}" must be at least 1`, { text });
  return n;
}
