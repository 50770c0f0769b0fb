/**
 * How the HTTP thread looks after the engine thread: a thread that dies is started again (with the
 * latest model lists) and said so in the log; questions to a dead thread get no answer rather than
 * a hang; a thread that cannot start fails the start with its reason; stop ends the thread, even
 * one that does not answer. The programs here stand in for the engine's (a real engine thread runs
 * in test/e2e/engine-thread.test.ts); the supervision is the real one.
 */
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { AvailabilitySnapshot } from '../../src/channels/availability.js';
import { loadConfig } from '../../src/config.js';
import { EngineThread } from '../../src/engine-host/thread.js';
import type { EngineThreadData } from '../../src/engine-host/protocol.js';
import { until } from '../helpers/until.js';

/** Answers like the engine's program; dies (exit code 3) when woken. */
const DIES_ON_WAKE = `
const { parentPort, workerData } = require('node:worker_threads');
parentPort.postMessage({ t: 'log', line: JSON.stringify({ msg: 'up', lists: workerData.availability.length, hold: workerData.hold }) + '\\n' });
parentPort.on('message', (m) => {
  if (m.t === 'wake') process.exit(3);
  if (m.t === 'ask') parentPort.postMessage({ t: 'answer', id: m.id, value: { c1: { breaker: 'closed', submissions: 7, failures: 0 } } });
  if (m.t === 'stop') parentPort.postMessage({ t: 'stopped', released: true });
});
parentPort.postMessage({ t: 'ready' });
`;

/** Answers metrics asks like a fresh registry that counts each ask as a finished task; dies when woken. */
const COUNTS_ASKS = `
const { parentPort } = require('node:worker_threads');
let asks = 0;
parentPort.on('message', (m) => {
  if (m.t === 'wake') process.exit(3);
  if (m.t === 'ask') {
    asks++;
    const values = [{ value: asks, labels: { status: 'failed' } }];
    parentPort.postMessage({ t: 'answer', id: m.id, value: [{ name: 'vidgate_tasks_finished_total', help: 'h', type: 'counter', aggregator: 'sum', values }] });
  }
  if (m.t === 'stop') parentPort.postMessage({ t: 'stopped', released: true });
});
parentPort.postMessage({ t: 'ready' });
`;

function data(): EngineThreadData {
  return { config: loadConfig({ VIDGATE_DATA_DIR: '/nonexistent' }), channels: [], sandbox: false, workerId: 'w_test', log: { level: 'info', base: {} }, availability: [], hold: false };
}

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) }) };
}

const program = (code: string) => (d: EngineThreadData) => new Worker(code, { eval: true, workerData: d });

describe('engine thread supervision', { timeout: 60_000 }, () => {
  it('a thread that dies is started again, with the model lists learnt meanwhile', async () => {
    const { lines, logger } = capture();
    let released = 0;
    const onGone = async () => void released++;
    const t = await EngineThread.start({ ...data(), hold: true }, { logger, onFinished: () => undefined, onGone, program: program(DIES_ON_WAKE), restartDelayMs: 50 });
    t.go();
    try {
      assert.deepEqual(await t.channelStates(), { c1: { breaker: 'closed', submissions: 7, failures: 0 } });
      const lists: AvailabilitySnapshot = [['c1', { models: ['m'], checkedAt: 1 }]];
      t.availability(lists);
      t.wake();
      await until('the death was logged', () => lines.some((l) => l.msg?.toString().startsWith('the engine thread stopped unexpectedly') && l.code === 3), 5_000);
      await until('a new thread came up', () => lines.filter((l) => l.msg === 'up').length === 2, 5_000);
      assert.deepEqual(
        lines.filter((l) => l.msg === 'up').map((l) => [l.lists, l.hold]),
        [
          [0, true],
          [1, false],
        ],
        'the new thread started from the lists sent to the old one, and claims at once (the gateway has long been listening)',
      );
      assert.equal((await t.channelStates()).c1?.submissions, 7, 'the new thread answers');
      assert.equal(released, 1, "the dead thread's leases were released for it");
    } finally {
      await t.stop(1_000);
    }
    assert.equal(released, 1, 'a thread that stopped released its own');
    const ups = lines.filter((l) => l.msg === 'up').length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(lines.filter((l) => l.msg === 'up').length, ups, 'nothing starts after stop');
  });

  it("a thread started again claims only once the dead one's leases are released (they carry the same workerId)", async () => {
    const events: string[] = [];
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      {
        write: (l: string) => {
          const line = JSON.parse(l);
          if (line.msg === 'up' && lines.some((x) => x.msg === 'up')) events.push('new thread up');
          lines.push(line);
        },
      },
    );
    // A slow release (a busy database): 400 ms, well past the 50 ms restart delay.
    const onGone = async () => {
      events.push('release started');
      await new Promise((r) => setTimeout(r, 400));
      events.push('released');
    };
    const t = await EngineThread.start(data(), { logger, onFinished: () => undefined, onGone, program: program(DIES_ON_WAKE), restartDelayMs: 50 });
    try {
      t.wake();
      await until('a new thread came up', () => lines.filter((l) => l.msg === 'up').length === 2, 5_000);
      await until('the release ended', () => events.includes('released'), 5_000);
      assert.deepEqual(events, ['release started', 'released', 'new thread up'], 'a release after the new thread claimed would free its fresh leases too');
    } finally {
      await t.stop(1_000);
    }
  });

  it('a held thread that dies before go is started again claiming at once once go() was called', async () => {
    const { lines, logger } = capture();
    const t = await EngineThread.start({ ...data(), hold: true }, { logger, onFinished: () => undefined, onGone: async () => undefined, program: program(DIES_ON_WAKE), restartDelayMs: 200 });
    try {
      t.wake();
      await until('the death was logged', () => lines.some((l) => l.msg?.toString().startsWith('the engine thread stopped unexpectedly')), 5_000);
      t.go(); // to the dead worker: no throw
      await until('a new thread came up', () => lines.filter((l) => l.msg === 'up').length === 2, 5_000);
      assert.deepEqual(
        lines.filter((l) => l.msg === 'up').map((l) => l.hold),
        [true, false],
      );
    } finally {
      await t.stop(1_000);
    }
  });

  it("a restart never makes the thread's counters go down in what /metrics adds up", async () => {
    const { lines, logger } = capture();
    const t = await EngineThread.start(data(), { logger, onFinished: () => undefined, program: program(COUNTS_ASKS), restartDelayMs: 50 });
    const finished = async () => (await t.metrics())?.find((m) => m.name === 'vidgate_tasks_finished_total')?.values[0]?.value;
    try {
      assert.equal(await finished(), 1);
      assert.equal(await finished(), 2);
      t.wake();
      await until('the death was logged', () => lines.some((l) => l.msg?.toString().startsWith('the engine thread stopped unexpectedly')), 5_000);
      assert.equal(await finished(), 2, 'while it restarts: what it last said');
      await until('a new thread answers', async () => (await finished()) !== 2, 5_000);
      assert.equal(await finished(), 4, 'the new thread counts on from the old one (2 + its own 2)');
    } finally {
      await t.stop(1_000);
    }
  });

  it('a thread that cannot start fails the start with its reason', async () => {
    const { logger } = capture();
    const failing = program(`require('node:worker_threads').parentPort.postMessage({ t: 'failed', message: 'cannot open the database' });`);
    await assert.rejects(EngineThread.start(data(), { logger, onFinished: () => undefined, program: failing }), /the engine could not start: cannot open the database/);
    const exits = program(`process.exit(2)`);
    await assert.rejects(EngineThread.start(data(), { logger, onFinished: () => undefined, program: exits }), /exited \(code 2\) before it started/);
  });

  it('a thread that does not answer stop is ended after the grace period; questions to it get no answer, not a hang', async () => {
    const { logger } = capture();
    const deaf = program(`require('node:worker_threads').parentPort.postMessage({ t: 'ready' }); setInterval(() => {}, 1000);`);
    let released = 0;
    const t = await EngineThread.start(data(), { logger, onFinished: () => undefined, onGone: async () => void released++, program: deaf });
    const asked = performance.now();
    assert.equal(await t.metrics(), null);
    assert.ok(performance.now() - asked < 7_000);
    const started = performance.now();
    await t.stop(100);
    const ms = performance.now() - started;
    assert.ok(ms >= 100 && ms < 8_000, `stopped after ${ms.toFixed(0)} ms`);
    assert.equal(released, 1, 'its leases were released for it before stop returned');
  });

  it('a thread whose own release failed has its leases released for it', async () => {
    const { logger } = capture();
    const failsRelease = program(`
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => { if (m.t === 'stop') parentPort.postMessage({ t: 'stopped', released: false }); });
parentPort.postMessage({ t: 'ready' });`);
    let released = 0;
    const t = await EngineThread.start(data(), { logger, onFinished: () => undefined, onGone: async () => void released++, program: failsRelease });
    await t.stop(1_000);
    assert.equal(released, 1);
  });
});
