import { describe, expect, it } from 'vitest';
import { collectionName, parseDevice, runtimeConfig } from '../src/config';
import { isAcceptedFile, MAX_DOC_CHARS, newDocId, prepareUserText, titleFor } from '../src/user-docs';
import { testBuild } from './test-build';

describe('prepareUserText', () => {
  it('normalizes line endings and trims', () => {
    expect(prepareUserText('  a\r\nb\rc  ')).toEqual({ text: 'a\nb\nc', truncatedChars: 0 });
    expect(prepareUserText('   \n ')).toEqual({ text: '', truncatedChars: 0 });
  });
  it('cuts text over the cap at a word boundary and reports what was cut', () => {
    const raw = 'word '.repeat(30_000);
    const { text, truncatedChars } = prepareUserText(raw);
    expect(text.length).toBeLessThanOrEqual(MAX_DOC_CHARS);
    expect(text.endsWith('word')).toBe(true);
    expect(text.length + truncatedChars).toBe(raw.trim().length);
    expect(truncatedChars).toBeGreaterThan(0);
  });
  it('cuts at the cap itself when there is no whitespace near it', () => {
    const { text, truncatedChars } = prepareUserText('x'.repeat(50), 10);
    expect(text).toBe('x'.repeat(10));
    expect(truncatedChars).toBe(40);
  });
});

describe('files and titles', () => {
  it('accepts .txt and .md by name or type, nothing else', () => {
    expect(isAcceptedFile('notes.TXT', '')).toBe(true);
    expect(isAcceptedFile('readme.md', '')).toBe(true);
    expect(isAcceptedFile('blob', 'text/plain')).toBe(true);
    expect(isAcceptedFile('photo.png', 'image/png')).toBe(false);
    expect(isAcceptedFile('page.html', 'text/html')).toBe(false);
  });
  it('derives titles from file names or the first line', () => {
    expect(titleFor('x', 'trip.md')).toBe('trip');
    expect(titleFor('\n# My trip\nday one')).toBe('My trip');
    expect(titleFor('a'.repeat(100)).length).toBe(58);
  });
  it('makes distinct ids', () => {
    expect(newDocId(1, 0.5)).not.toBe(newDocId(1, 0.25));
    expect(newDocId(1, 0.5)).toMatch(/^user-1-[0-9a-z]{6}$/);
  });
});

describe('runtime config', () => {
  const build = testBuild;
  it('reads ?device= and refuses unknown values by name', () => {
    expect(parseDevice(null)).toBe('auto');
    expect(parseDevice('wasm')).toBe('wasm');
    expect(parseDevice('webgpu')).toBe('webgpu');
    expect(() => parseDevice('cuda')).toThrow(/got "cuda"/);
    expect(() => parseDevice('cuda')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', name: 'WebEmbedError' }),
    );
  });
  it('resolves model and runtime folders against a sub-path', () => {
    const cfg = runtimeConfig(new URL('https://example.github.io/webembed/?device=wasm&sw=off'), build);
    expect(cfg.modelPath).toBe('/webembed/models/');
    expect(cfg.ortUrl).toBe('https://example.github.io/webembed/ort/');
    expect(cfg.device).toBe('wasm');
    expect(cfg.serviceWorker).toBe(false);
    expect(
      runtimeConfig(new URL('http://127.0.0.1:4317/'), { ...build, modelBase: null }).modelPath,
    ).toBeNull();
  });
  it('names collections after mode and model', () => {
    expect(collectionName('demo', 'Xenova/multilingual-e5-small')).toBe(
      'demo-demo-xenova-multilingual-e5-small',
    );
  });
});
