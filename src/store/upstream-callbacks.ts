import { num, numOrNull, changed, type Db } from './db.js';
import { LANE_QUEUE } from './queues.js';
import { isTerminal, type PokeOutcome, type TaskState, type UpstreamCallbackRepository } from './types.js';
import type { WorkQueue } from './work-queue.js';

/**
 * Upstream callbacks as rows: which task a callback reference stands for, and when a callback last
 * made that task's poll due. A poke never writes the task: it only moves its poll item.
 */
export class SqlUpstreamCallbackRepository implements UpstreamCallbackRepository {
  constructor(
    private readonly db: Db,
    private readonly queue: WorkQueue,
  ) {}

  async register(channelId: string, refHash: string, taskId: string, now_ms: number): Promise<void> {
    await this.db.tx((trx) =>
      trx
        .insertInto('upstream_callbacks')
        .values({ channel_id: channelId, ref_hash: refHash, task_id: taskId, created_ms: now_ms, last_poke_ms: null })
        .onConflict((oc) => oc.columns(['channel_id', 'ref_hash']).doUpdateSet({ task_id: taskId, created_ms: now_ms }))
        .execute(),
    );
  }

  async taskFor(channelId: string, refHash: string): Promise<string | undefined> {
    const row = await this.db.kysely.selectFrom('upstream_callbacks').select('task_id').where('channel_id', '=', channelId).where('ref_hash', '=', refHash).executeTakeFirst();
    return row?.task_id;
  }

  async poke(channelId: string, refHash: string, now_ms: number, minIntervalMs: number): Promise<PokeOutcome> {
    return this.db.tx(async (trx): Promise<PokeOutcome> => {
      const row = await trx
        .selectFrom('upstream_callbacks')
        .innerJoin('tasks', 'tasks.id', 'upstream_callbacks.task_id')
        .select(['upstream_callbacks.task_id as task_id', 'upstream_callbacks.last_poke_ms as last_poke_ms', 'tasks.state as state'])
        .where('upstream_callbacks.channel_id', '=', channelId)
        .where('upstream_callbacks.ref_hash', '=', refHash)
        .executeTakeFirst();
      if (!row) return { kind: 'unknown' };
      const taskId = row.task_id;
      if (isTerminal(row.state as TaskState)) return { kind: 'finished', taskId };
      const last = numOrNull(row.last_poke_ms);
      if (last !== null && now_ms - last < minIntervalMs) return { kind: 'throttled', taskId };
      // The guard on last_poke_ms makes concurrent pokes (other nodes) agree on one winner.
      const res = await trx
        .updateTable('upstream_callbacks')
        .set({ last_poke_ms: now_ms })
        .where('channel_id', '=', channelId)
        .where('ref_hash', '=', refHash)
        .where((eb) => (last === null ? eb('last_poke_ms', 'is', null) : eb('last_poke_ms', '=', last)))
        .executeTakeFirst();
      if (changed(res) === 0) return { kind: 'throttled', taskId };
      // Only a task waiting for its next poll moves; one being polled right now is asked again by
      // its poll step (pokedSince), one still submitting gets its first poll at once after submitting.
      const moved = await this.queue.expedite(trx, LANE_QUEUE.poll, taskId, now_ms);
      if (moved) await this.db.notifyWorkDue(trx);
      return { kind: moved ? 'due' : 'noted', taskId };
    });
  }

  async pokedSince(taskId: string, since_ms: number): Promise<boolean> {
    const rows = await this.db.kysely.selectFrom('upstream_callbacks').select('last_poke_ms').where('task_id', '=', taskId).execute();
    return rows.some((r) => r.last_poke_ms !== null && num(r.last_poke_ms) >= since_ms);
  }

  async purge(before_ms: number): Promise<number> {
    return changed(await this.db.tx((trx) => trx.deleteFrom('upstream_callbacks').where('created_ms', '<', before_ms).executeTakeFirst()));
  }
}
