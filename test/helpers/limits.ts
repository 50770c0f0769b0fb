import assert from 'node:assert/strict';

/**
 * Sends `n` requests alternating between the nodes (base URLs) with a fresh key limited to `rpm`
 * (created and limited on the first node), and counts the admitted ones; retried once if a minute
 * boundary fell in between (the window is per clock minute).
 */
export async function admittedAcross(urls: string[], adminKey: string, rpm: number, n: number): Promise<{ admitted: number; keyId: string }> {
  const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
  for (let attempt = 0; attempt < 2; attempt++) {
    const created = (await (await fetch(`${urls[0]}/v1/admin/keys`, { method: 'POST', headers: admin, body: '{"name":"limited"}' })).json()) as { id: string; key: string };
    const patched = await fetch(`${urls[0]}/v1/admin/keys/${created.id}`, { method: 'PATCH', headers: admin, body: JSON.stringify({ rpm_limit: rpm }) });
    assert.equal(patched.status, 200);
    let admitted = 0;
    const resets = new Set<string>();
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${urls[i % urls.length]}/v1/usage`, { headers: { authorization: `Bearer ${created.key}` } });
      await res.arrayBuffer();
      assert.ok(res.status === 200 || res.status === 429, `status ${res.status}`);
      if (res.status === 200) admitted++;
      else assert.ok(Number(res.headers.get('retry-after')) >= 1, 'a refusal says when to come back');
      resets.add(res.headers.get('x-ratelimit-reset') ?? '');
    }
    if (resets.size === 1) return { admitted, keyId: created.id };
  }
  throw new Error('two minute boundaries in a row');
}
