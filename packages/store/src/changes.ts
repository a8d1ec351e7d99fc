/**
 * Change notifications: local writes reach listeners right after they commit, and a
 * BroadcastChannel named after the database carries them to other tabs and handles.
 *
 * @module
 */
import type { StoreChange } from './types.js';

/** Fan-out of change events for one store handle. */
export interface ChangeHub {
  /** Tells this handle's listeners (origin `local`) and every other handle (origin `remote`). */
  emit(change: Omit<StoreChange, 'origin'>): void;
  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: (change: StoreChange) => void): () => void;
  /** Whether changes from other tabs and handles arrive (a BroadcastChannel is open). */
  readonly crossContext: boolean;
  close(): void;
}

/** A hub on channel `webembed-store:<dbName>`; without BroadcastChannel, local events only. */
export function createChangeHub(dbName: string, onRemote: (change: StoreChange) => void): ChangeHub {
  const listeners = new Set<(change: StoreChange) => void>();
  const Channel = (globalThis as { BroadcastChannel?: typeof BroadcastChannel }).BroadcastChannel;
  const channel = Channel ? new Channel(`webembed-store:${dbName}`) : null;
  // In Node (fake-indexeddb, tools) an open channel would keep the process alive.
  (channel as { unref?: () => void } | null)?.unref?.();
  const dispatch = (change: StoreChange) => {
    for (const listener of [...listeners]) {
      try {
        listener(change);
      } catch (err) {
        // A faulty listener must not break writes or other listeners.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  };
  if (channel) {
    channel.onmessage = (event: MessageEvent) => {
      const data = event.data as Omit<StoreChange, 'origin'> | null;
      if (!data || typeof data.type !== 'string' || typeof data.collection !== 'string') return;
      const change: StoreChange = { ...data, origin: 'remote' };
      onRemote(change);
      dispatch(change);
    };
  }
  return {
    emit(change) {
      dispatch({ ...change, origin: 'local' });
      try {
        channel?.postMessage(change);
      } catch {
        // Channel already closed: nothing to tell.
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    crossContext: channel !== null,
    close() {
      listeners.clear();
      channel?.close();
    },
  };
}
