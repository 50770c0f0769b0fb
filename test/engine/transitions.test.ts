/**
 * The engine's decisions, table-driven: for each state and event, the next state, what is written
 * and when the next step runs. No I/O, no clock: the context says what time it is.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RETRY_POLICY, SUBMIT_FAILOVER, type FailureKind } from '../../src/engine/retry-policy.js';
import { afterFinish, afterPoll, afterRecovery, afterSubmit, allChannelsFailed, overdue, refuseSubmission, waitForChannel, type DecisionContext, type Failure, type RefusalEvent } from '../../src/engine/transitions.js';

const NOW = 1_000_000;
const ctx = (over: Partial<DecisionContext> = {}): DecisionContext => ({
  now: NOW,
  attempts: 0,
  maxAttempts: 8,
  canLookup: false,
  typicalSeconds: 60,
  pollScale: 1,
  submittedMs: NOW - 30_000,
  maxRuntimeMs: 600_000,
  random: () => 0.5,
  ...over,
});
const failure = (kind: FailureKind, retryAfterSeconds?: number): Failure => ({ kind, code: `code_${kind}`, message: `msg ${kind}`, retryAfterSeconds });

describe('submit decisions', () => {
  it('accepted → processing, upstream id and submit time recorded, first poll sparse', () => {
    const d = afterSubmit({ type: 'submitted', upstreamId: 'op/1' }, ctx());
    assert.deepEqual([d.from, d.to, d.patch?.upstream_id, d.patch?.submitted_ms, d.next?.lane], ['submitting', 'processing', 'op/1', NOW, 'poll']);
    assert.equal(d.next!.due_ms - NOW, 15_000, 'a quarter of the 60 s typical time');
  });

  const table: Array<[FailureKind, boolean, string, string | null]> = [
    // kind, can look up by reference, → state, → error code
    ['rate_limited', false, 'pending', null],
    ['unavailable', false, 'pending', null],
    ['input_fetch', false, 'pending', null],
    ['timeout', true, 'submitting', null],
    ['ambiguous', true, 'submitting', null],
    ['timeout', false, 'failed', 'timeout_error'],
    ['ambiguous', false, 'failed', 'submission_interrupted'],
    ['invalid_input', false, 'failed', 'code_invalid_input'],
    ['content_policy', false, 'failed', 'code_content_policy'],
    ['auth', false, 'failed', 'code_auth'],
    ['quota', false, 'failed', 'code_quota'],
    ['input_invalid', false, 'failed', 'code_input_invalid'],
    ['internal', false, 'failed', 'code_internal'],
  ];
  for (const [kind, canLookup, to, code] of table) {
    it(`${kind}${canLookup ? ' (lookup possible)' : ''} → ${to}${code ? ` (${code})` : ''}`, () => {
      const d = afterSubmit({ type: 'failed', failure: failure(kind) }, ctx({ canLookup }));
      assert.equal(d.to, to);
      assert.equal(d.patch?.error?.code ?? null, code);
      if (to === 'failed') assert.equal(d.next, null);
      else assert.deepEqual([d.next?.lane, d.next?.attempts], ['submit', 1]);
    });
  }

  it('a retry waits at least the provider’s Retry-After (capped at an hour), and gives up when attempts run out', () => {
    assert.equal(afterSubmit({ type: 'failed', failure: failure('rate_limited', 30) }, ctx()).next!.due_ms, NOW + 30_000);
    assert.equal(afterSubmit({ type: 'failed', failure: failure('rate_limited', 10 ** 9) }, ctx()).next!.due_ms, NOW + 3_600_000);
    const last = afterSubmit({ type: 'failed', failure: failure('unavailable') }, ctx({ attempts: 7 }));
    assert.deepEqual([last.to, last.patch?.error?.code], ['failed', 'code_unavailable']);
    // The upstream's reason, and that retrying has ended (not an adapter's "retries later").
    assert.equal(last.patch?.error?.message, 'msg unavailable The gateway gave up after 8 attempts; create a new task to try again.');
  });
});

describe('recovery decisions (a submission whose worker died)', () => {
  it('found upstream → poll that job now; certainly absent → pending again; no lookup → interrupted', () => {
    const found = afterRecovery({ type: 'found', upstreamId: 'k1' }, ctx());
    assert.deepEqual([found.to, found.patch?.upstream_id, found.next?.lane, found.next?.due_ms], ['processing', 'k1', 'poll', NOW]);
    const absent = afterRecovery({ type: 'absent' }, ctx());
    assert.deepEqual([absent.to, absent.next?.lane, absent.next?.due_ms], ['pending', 'submit', NOW]);
    assert.equal(afterRecovery({ type: 'no_lookup' }, ctx()).patch?.error?.code, 'submission_interrupted');
  });

  it('a lookup that fails is asked again, then the task fails as interrupted (never resent)', () => {
    const again = afterRecovery({ type: 'failed', failure: failure('unavailable') }, ctx({ attempts: 2 }));
    assert.deepEqual([again.to, again.next?.lane, again.next?.attempts], ['submitting', 'submit', 3]);
    const gaveUp = afterRecovery({ type: 'failed', failure: failure('unavailable') }, ctx({ attempts: 7 }));
    assert.deepEqual([gaveUp.to, gaveUp.patch?.error?.code], ['failed', 'submission_interrupted']);
    assert.match(gaveUp.patch!.error!.message, /could not tell/);
  });
});

describe('poll decisions', () => {
  it('running: progress clamped to 0–99 and written only when it changed; the next poll never after the deadline', () => {
    const d = afterPoll({ type: 'running', progress: 140 }, ctx(), 20);
    assert.equal(d.patch?.progress, 99);
    assert.equal(afterPoll({ type: 'running', progress: 20 }, ctx(), 20).patch, undefined);
    const nearDeadline = afterPoll({ type: 'running', retryAfterSeconds: 3600 }, ctx({ submittedMs: NOW - 590_000 }), null);
    assert.equal(nearDeadline.next!.due_ms, NOW - 590_000 + 600_000 + 1000);
  });

  it('succeeded → finishing with the outputs; upstream failure or cancel → failed', () => {
    const d = afterPoll({ type: 'succeeded', outputs: [{ kind: 'video', url: 'u' }] }, ctx(), null);
    assert.deepEqual([d.to, d.next?.lane, d.patch?.outputs], ['finishing', 'finish', [{ kind: 'video', url: 'u' }]]);
    assert.equal(afterPoll({ type: 'upstream_failed', error: { code: 'content_policy_violation', message: 'no' } }, ctx(), null).patch?.error?.code, 'content_policy_violation');
    const c = afterPoll({ type: 'upstream_cancelled' }, ctx(), null);
    assert.deepEqual([c.to, c.patch?.cancelled, c.patch?.error?.code], ['failed', true, 'task_cancelled']);
  });

  it('transient poll errors never fail the task; permanent-looking ones do after the attempts run out', () => {
    for (const kind of ['rate_limited', 'unavailable', 'timeout', 'ambiguous'] as const) {
      const d = afterPoll({ type: 'failed', failure: failure(kind) }, ctx({ attempts: 50 }), null);
      assert.deepEqual([kind, d.to, d.next?.lane], [kind, 'processing', 'poll']);
    }
    assert.equal(afterPoll({ type: 'failed', failure: failure('auth') }, ctx({ attempts: 3 }), null).to, 'processing');
    assert.equal(afterPoll({ type: 'failed', failure: failure('auth') }, ctx({ attempts: 7 }), null).to, 'failed');
  });

  it('a job past its model’s max runtime fails with timeout_error', () => {
    const d = overdue(600_000);
    assert.deepEqual([d.from, d.to, d.patch?.error?.code], ['processing', 'failed', 'timeout_error']);
    assert.match(d.patch!.error!.message, /600 s/);
  });
});

describe('finish decisions', () => {
  it('stored → completed with the probed video and its cost; unplayable → failed; download errors retried then failed', () => {
    const video = { blob_key: 'videos/x.mp4', duration_s: 4, width: 1280, height: 720, has_audio: false };
    const d = afterFinish({ type: 'stored', video, costUsd: 0.4, reservedUsd: 0.6 }, ctx());
    assert.deepEqual([d.to, d.patch?.video, d.patch?.cost_usd, d.patch?.progress, d.patch?.completed_ms, d.next], ['completed', video, 0.4, 100, NOW, null]);
    assert.equal(afterFinish({ type: 'unplayable' }, ctx()).patch?.error?.code, 'invalid_output');
    const retry = afterFinish({ type: 'failed', failure: { kind: 'download', code: 'output_unavailable', message: 'm' } }, ctx({ attempts: 1 }));
    assert.deepEqual([retry.to, retry.next?.lane, retry.next?.attempts], ['finishing', 'finish', 2]);
    assert.equal(afterFinish({ type: 'failed', failure: { kind: 'download', code: 'output_unavailable', message: 'm' } }, ctx({ attempts: 7 })).patch?.error?.code, 'output_unavailable');
  });
});

describe('settlement never exceeds the reservation', () => {
  const video = { blob_key: 'videos/x.mp4', duration_s: 120, width: 1920, height: 1080, has_audio: false };
  const table: Array<[number, number, number]> = [
    // cost of what was produced, reserved, → charged
    [0.4, 0.6, 0.4],
    [0.6, 0.6, 0.6],
    [4.8, 0.4, 0.4], // issue 13: a 120 s output against a 10 s reservation
    [0.1234567, 1, 0.123457],
    [-1, 1, 0],
  ];
  for (const [cost, reserved, charged] of table) {
    it(`produced $${cost}, reserved $${reserved} → charged $${charged}`, () => {
      assert.equal(afterFinish({ type: 'stored', video, costUsd: cost, reservedUsd: reserved }, ctx()).patch?.cost_usd, charged);
    });
  }
});

describe('submissions refused before reaching the upstream', () => {
  const table: Array<[string, RefusalEvent, string, RegExp]> = [
    [
      'a source longer than the model takes',
      { type: 'source_too_long', model: 'grok-imagine-upscale', seconds: 120, maxSeconds: 8.7 },
      'source_too_long',
      /120\.0 s long; grok-imagine-upscale takes sources of at most 8\.7 s.*Nothing was charged/,
    ],
    ['a source that is not a video', { type: 'source_unplayable' }, 'invalid_request', /not a playable video/],
    [
      'a balance that cannot cover the source',
      { type: 'over_budget', refusal: { kind: 'insufficient_balance', balanceUsd: 1, availableUsd: 0.6 }, seconds: 120, estimateUsd: 4.8, reservedUsd: 0.4 },
      'insufficient_balance',
      /120\.0 s long, so this task costs \$4\.80 \(\$0\.40 is reserved for it\).*only \$0\.60 more available\. Nothing was sent upstream and nothing was charged\. Top up/,
    ],
    [
      'a spend limit that cannot cover the source',
      { type: 'over_budget', refusal: { kind: 'quota_exceeded', limitUsd: 2, remainingUsd: 1.6 }, seconds: 120, estimateUsd: 4.8, reservedUsd: 0.4 },
      'quota_exceeded',
      /only \$1\.60 of the key's \$2\.00 spend limit remains\. Nothing was sent upstream/,
    ],
    ['a draft that is not the caller’s', { type: 'reference_not_found', error: { code: 'draft_task_not_found', message: 'no such draft' } }, 'draft_task_not_found', /no such draft/],
  ];
  for (const [name, event, code, message] of table) {
    it(`${name} → failed (${code}), nothing next`, () => {
      const d = refuseSubmission(event);
      assert.deepEqual([d.from, d.to, d.next, d.patch?.error?.code], ['submitting', 'failed', null, code]);
      assert.match(d.patch!.error!.message, message);
    });
  }
});

describe('the retry-policy table', () => {
  it('never resends a create whose outcome is unknown, and only requeues where the upstream certainly did not act', () => {
    assert.equal(RETRY_POLICY.submit.timeout, 'lookup');
    assert.equal(RETRY_POLICY.submit.ambiguous, 'lookup');
    const requeued = (Object.entries(RETRY_POLICY.submit) as [FailureKind, string][])
      .filter(([, a]) => a === 'requeue')
      .map(([k]) => k)
      .sort();
    assert.deepEqual(requeued, ['input_fetch', 'rate_limited', 'unavailable']);
  });
});

describe('several channels in one submission', () => {
  const refusal = (kind: FailureKind, message: string, retryAfterSeconds?: number): Failure => ({ kind, code: `upstream_${kind}`, message, retryAfterSeconds });

  it('one channel tried: its own failure, unchanged', () => {
    const only = refusal('unavailable', 'down');
    assert.equal(allChannelsFailed('sora-2', [{ channel: 'openai', failure: only }]), only);
  });

  it('every channel refused: all_channels_failed naming each; a transient refusal is retried later, at the shortest Retry-After', () => {
    const f = allChannelsFailed('sora-2', [
      { channel: 'openai', failure: refusal('rate_limited', 'busy', 7) },
      { channel: 'azure-openai', failure: refusal('auth', 'bad key') },
    ]);
    assert.deepEqual([f.kind, f.code, f.retryAfterSeconds], ['rate_limited', 'all_channels_failed', 7]);
    assert.equal(f.message, "Every channel serving 'sora-2' refused the create: openai: busy; azure-openai: bad key");
    const retried = afterSubmit({ type: 'failed', failure: f }, ctx());
    assert.deepEqual([retried.to, retried.next?.lane, retried.next!.due_ms - NOW >= 7000], ['pending', 'submit', true]);
    const last = afterSubmit({ type: 'failed', failure: f }, ctx({ attempts: 7 }));
    assert.deepEqual([last.to, last.patch?.error?.code], ['failed', 'all_channels_failed']);
  });

  it('every channel refused the credential: failed at once with all_channels_failed', () => {
    const f = allChannelsFailed('sora-2', [
      { channel: 'a', failure: refusal('auth', 'bad key') },
      { channel: 'b', failure: refusal('quota', 'no credit') },
    ]);
    const d = afterSubmit({ type: 'failed', failure: f }, ctx());
    assert.deepEqual([d.to, d.patch?.error?.code], ['failed', 'all_channels_failed']);
  });

  it('no channel free now: pending again without spending an attempt', () => {
    const d = waitForChannel(ctx({ attempts: 3 }), 2500);
    assert.deepEqual([d.from, d.to, d.next], ['submitting', 'pending', { lane: 'submit', due_ms: NOW + 2500, attempts: 3 }]);
  });

  it('fails over only where the create certainly did not land or the credential was refused', () => {
    const over = (Object.keys(SUBMIT_FAILOVER) as FailureKind[]).filter((k) => SUBMIT_FAILOVER[k]).sort();
    assert.deepEqual(over, ['auth', 'not_found', 'quota', 'rate_limited', 'unavailable']);
  });
});
