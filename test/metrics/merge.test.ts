/**
 * /metrics with the engine in its own thread: the HTTP thread's registry and the thread's figures
 * (GatewayMetrics.snapshot, sent over) are merged at scrape time. Shared families are summed; the
 * HTTP thread's process figures pass through as they are, none left out.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayMetrics } from '../../src/metrics/metrics.js';

const sample = (text: string, series: string) => text.split('\n').find((l) => l.startsWith(`${series} `) || l.startsWith(`${series}{`));

describe('metrics merged with the engine thread', () => {
  it('keeps every family of the HTTP thread (process start time included) and sums the shared ones', async () => {
    const http = new GatewayMetrics();
    const engine = new GatewayMetrics({ processMetrics: false });
    http.readFrom({ breakerStates: () => [], elsewhere: () => engine.snapshot() });
    engine.readFrom({ breakerStates: () => [{ provider: 'google', channel: 'gemini-api', state: 'closed' }] });
    http.upstreamCall('google', 'cancel', 'ok', 0.1);
    engine.upstreamCall('google', 'cancel', 'ok', 0.1);
    engine.upstreamCall('google', 'submit', 'ok', 0.2);

    const alone = (await http.registry.metrics()).toString();
    assert.ok(sample(alone, 'vidgate_process_start_time_seconds'), 'the HTTP registry has it');
    const { body } = await http.render();
    assert.ok(sample(body, 'vidgate_process_start_time_seconds'), 'vidgate_process_start_time_seconds is in the merged exposition');
    assert.ok(sample(body, 'vidgate_nodejs_version_info'), 'version info too');
    assert.match(sample(body, 'vidgate_upstream_requests_total{provider="google",call="cancel",outcome="ok"}') ?? '', / 2$/);
    assert.match(sample(body, 'vidgate_upstream_requests_total{provider="google",call="submit",outcome="ok"}') ?? '', / 1$/);
    assert.match(sample(body, 'vidgate_circuit_breaker_state{provider="google",channel="gemini-api",state="closed"}') ?? '', / 1$/);
  });
});
