/**
 * The user's own documents: text from the paste box or dropped `.txt`/`.md` files, capped in size
 * (with the cut reported), and a small IndexedDB list of them so they can be shown and removed
 * after a reload. Their vectors live in the engine's collection.
 */

/** Largest document accepted, in characters; longer text is cut and the cut is reported. */
export const MAX_DOC_CHARS = 100_000;

/** File name endings accepted by the drop zone and file picker. */
export const ACCEPTED_EXTENSIONS = ['.txt', '.md', '.markdown'] as const;

/** A user document as listed in the UI. */
export interface UserDoc {
  readonly id: string;
  readonly title: string;
  readonly lang: string;
  /** Characters indexed (after any cut). */
  readonly chars: number;
  /** Characters dropped because the text exceeded {@link MAX_DOC_CHARS}. */
  readonly truncatedChars: number;
  /** Chunks (vectors) the document became. */
  readonly chunks: number;
  /** Chunks cut at the model's token window. */
  readonly truncatedChunks: number;
  readonly addedAt: number;
}

/** Text ready to index, and what was cut from it. */
export interface PreparedText {
  readonly text: string;
  readonly truncatedChars: number;
}

/**
 * Normalizes line endings, trims, and cuts text longer than `maxChars` at the last whitespace
 * before the limit (or at the limit when there is none). Returns the empty string for blank input.
 */
export function prepareUserText(raw: string, maxChars = MAX_DOC_CHARS): PreparedText {
  const text = raw.replace(/\r\n?/g, '\n').trim();
  if (text.length <= maxChars) return { text, truncatedChars: 0 };
  let cut = text.lastIndexOf(' ', maxChars);
  const newline = text.lastIndexOf('\n', maxChars);
  cut = Math.max(cut, newline);
  if (cut < maxChars * 0.8) cut = maxChars;
  const kept = text.slice(0, cut).trimEnd();
  return { text: kept, truncatedChars: text.length - kept.length };
}

/** Whether a file looks like plain text or Markdown by its name or type. */
export function isAcceptedFile(name: string, type: string): boolean {
  const lower = name.toLowerCase();
  return (
    ACCEPTED_EXTENSIONS.some((ext) => lower.endsWith(ext)) ||
    type === 'text/plain' ||
    type === 'text/markdown'
  );
}

/** A title from a file name or the first words of the text. */
export function titleFor(text: string, fileName?: string): string {
  if (fileName) return fileName.replace(/\.(txt|md|markdown)$/i, '') || fileName;
  const firstLine = text.split('\n').find((line) => line.trim() !== '') ?? '';
  const words = firstLine.replace(/^#+\s*/, '').trim();
  return words.length > 60 ? `${words.slice(0, 57)}…` : words || 'Untitled';
}

/** A fresh id for a user document. */
export function newDocId(now = Date.now(), random = Math.random()): string {
  return `user-${now.toString(36)}-${Math.floor(random * 36 ** 6)
    .toString(36)
    .padStart(6, '0')}`;
}

const DB_NAME = 'webembed-demo';
const DOCS = 'docs';
const META = 'meta';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** The demo's own small database: the user-document list and a few flags. */
export interface DemoDb {
  listDocs(): Promise<UserDoc[]>;
  putDoc(doc: UserDoc): Promise<void>;
  deleteDoc(id: string): Promise<void>;
  getMeta<T>(key: string): Promise<T | undefined>;
  setMeta(key: string, value: unknown): Promise<void>;
  close(): void;
}

/** Opens (creating on first use) the demo database. */
export async function openDemoDb(name = DB_NAME): Promise<DemoDb> {
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains(DOCS)) db.createObjectStore(DOCS, { keyPath: 'id' });
    if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
  };
  const db = await request(open);
  db.onversionchange = () => db.close();
  const store = (which: string, mode: IDBTransactionMode) => db.transaction(which, mode).objectStore(which);
  const done = (tx: IDBTransaction) =>
    new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  return {
    async listDocs() {
      const docs = (await request(store(DOCS, 'readonly').getAll())) as UserDoc[];
      return docs.sort((a, b) => a.addedAt - b.addedAt);
    },
    async putDoc(doc) {
      const s = store(DOCS, 'readwrite');
      s.put(doc);
      await done(s.transaction);
    },
    async deleteDoc(id) {
      const s = store(DOCS, 'readwrite');
      s.delete(id);
      await done(s.transaction);
    },
    async getMeta<T>(key: string) {
      return (await request(store(META, 'readonly').get(key))) as T | undefined;
    },
    async setMeta(key, value) {
      const s = store(META, 'readwrite');
      s.put(value, key);
      await done(s.transaction);
    },
    close() {
      db.close();
    },
  };
}

/** Deletes the demo database (Clear all data). */
export function deleteDemoDb(name = DB_NAME): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
    req.onblocked = () => resolve();
  });
}
