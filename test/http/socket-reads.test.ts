/**
 * Which request heads the socket path reads itself (src/http/socket-reads.ts): only complete, plain
 * task reads. Everything else must be left to Node's parser, which refuses or reads it as always.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainTaskRead } from '../../src/http/socket-reads.js';

const ID = `ldtask_${'0123456789abcdef'.repeat(2)}`;
const head = (lines: string[], target = `/v1/tasks/${ID}`, start = `GET ${target} HTTP/1.1`) => `${[start, ...lines].join('\r\n')}\r\n\r\n`;
const read = (text: string, from = 0) => plainTaskRead(text, from);

describe('plain task read heads', () => {
  it('reads the path, the three headers a read looks at, and where the next request starts', () => {
    const text = head(['Host: gw', 'Authorization: Bearer sk-abc', 'X-Request-ID: mine-1', 'If-None-Match: "tag"', 'Accept: */*', 'User-Agent: poller/1.0']);
    const r = read(`${text}GET /next`);
    assert.ok(r);
    assert.equal(r.path, `/v1/tasks/${ID}`);
    assert.deepEqual(r.asked, { authorization: 'Bearer sk-abc', requestId: 'mine-1', ifNoneMatch: '"tag"' });
    assert.equal(r.end, text.length);
  });

  it('header names in any case, values trimmed of spaces and tabs, an empty value, keep-alive stated', () => {
    const r = read(head(['hOsT: gw', 'AUTHORIZATION:\t Bearer sk-abc \t', 'X-Empty:', 'Connection: Keep-Alive']));
    assert.equal(r?.asked.authorization, 'Bearer sk-abc');
  });

  it('a second request in the same bytes is read from where the first ended', () => {
    const one = head(['Host: gw', 'Authorization: Bearer sk-1']);
    const two = head(['Host: gw', 'Authorization: Bearer sk-2']);
    assert.equal(read(one + two, one.length)?.asked.authorization, 'Bearer sk-2');
  });

  const refused: [string, string][] = [
    ['an incomplete head (split across packets)', head(['Host: gw']).slice(0, -2)],
    ['no Host (Node answers 400)', head(['Authorization: Bearer sk-abc'])],
    ['two Hosts', head(['Host: a', 'Host: b'])],
    ['a repeated Authorization', head(['Host: gw', 'Authorization: Bearer sk-1', 'Authorization: Bearer sk-2'])],
    ['a repeated X-Request-ID', head(['Host: gw', 'X-Request-ID: a', 'X-Request-ID: b'])],
    ['a repeated If-None-Match', head(['Host: gw', 'If-None-Match: "a"', 'If-None-Match: "b"'])],
    ['a body announced', head(['Host: gw', 'Content-Length: 0'])],
    ['a chunked body', head(['Host: gw', 'Transfer-Encoding: chunked'])],
    ['Connection: close', head(['Host: gw', 'Connection: close'])],
    ['Proxy-Connection (Node reads it as Connection)', head(['Host: gw', 'Proxy-Connection: keep-alive'])],
    ['an upgrade', head(['Host: gw', 'Upgrade: websocket'])],
    ['Expect', head(['Host: gw', 'Expect: 100-continue'])],
    ['HEAD', head(['Host: gw'], `/v1/tasks/${ID}`, `HEAD /v1/tasks/${ID} HTTP/1.1`)],
    ['HTTP/1.0', head(['Host: gw'], '', `GET /v1/tasks/${ID} HTTP/1.0`)],
    ['a query string', head(['Host: gw'], `/v1/tasks/${ID}?wait=5`)],
    ['another route', head(['Host: gw'], `/v1/tasks/${ID}/events`)],
    ['a short id', head(['Host: gw'], '/v1/tasks/ldtask_1')],
    ['an absolute URL', head(['Host: gw'], `http://gw/v1/tasks/${ID}`)],
    ['a folded header line (obs-fold)', head(['Host: gw', 'Authorization: Bearer', ' sk-abc'])],
    ['a bare LF line end', `GET /v1/tasks/${ID} HTTP/1.1\r\nHost: gw\nX-A: b\r\n\r\n`],
    ['a space before the colon', head(['Host: gw', 'Authorization : Bearer sk-abc'])],
    ['a control character in a value', head(['Host: gw', 'Authorization: Bearer sk-\u0001abc'])],
    ['a byte above ASCII in a value', head(['Host: gw', 'Authorization: Bearer sk-\u00e9'])],
    ['a name with a separator', head(['Host: gw', 'X(A): b'])],
    ['more than 32 header lines', head(['Host: gw', ...Array.from({ length: 32 }, (_, i) => `X-${i}: ${i}`)])],
    ['a head over 16 KiB', head(['Host: gw', `X-Big: ${'a'.repeat(17 * 1024)}`])],
    ['lower-case method', head(['Host: gw'], '', `get /v1/tasks/${ID} HTTP/1.1`)],
  ];
  for (const [what, text] of refused) {
    it(`leaves to Node's parser: ${what}`, () => assert.equal(read(text), null));
  }
});
