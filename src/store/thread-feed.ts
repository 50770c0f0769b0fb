import { BroadcastChannel } from 'node:worker_threads';
import type { ChangeFeed } from './sql-store.js';

/**
 * Task-change notices between the threads of one process that open the same SQLite file (the HTTP
 * thread and the engine thread): what LISTEN/NOTIFY is between PostgreSQL connections. A change is
 * published after its transaction committed; ids changed in one turn of the event loop go out as one
 * message. One channel object both sends and listens: it never hears its own notices back.
 */
export function threadFeed(file: string): ChangeFeed {
  const name = `vidgate-task-changes:${file}`;
  let channel: BroadcastChannel | null = null;
  let onIds: ((ids: string[]) => void) | null = null;
  let pending: string[] = [];
  const open = (): BroadcastChannel => {
    if (channel) return channel;
    channel = new BroadcastChannel(name);
    channel.unref();
    channel.onmessage = (event) => {
      const ids: unknown = (event as { data: unknown }).data;
      if (onIds && Array.isArray(ids)) onIds(ids.filter((id): id is string => typeof id === 'string'));
    };
    return channel;
  };
  const flush = () => {
    const ids = pending;
    pending = [];
    channel?.postMessage(ids);
  };
  return {
    start(listener) {
      onIds = listener;
      open();
    },
    publish(id) {
      open();
      if (pending.length === 0) queueMicrotask(flush);
      pending.push(id);
    },
    async stop() {
      if (pending.length > 0) flush();
      channel?.close();
      channel = null;
      onIds = null;
    },
  };
}
