import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSse, type SseEvent } from '../../src/client/sse.js';

/** A body that arrives in exactly these chunks, as a proxy or a slow network may cut it. */
function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    },
  });
}

async function eventsOf(chunks: string[]): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const e of parseSse(streamOf(chunks))) events.push(e);
  return events;
}

describe('parseSse', () => {
  it('reads LF, CRLF and lone-CR line ends alike; comments are skipped; the last id carries over', async () => {
    const text = ': hb\n\nid: 1\ndata: a\n\ndata: b\r\ndata: c\r\n\r\nid: 2\revent: end\rdata: d\r\r';
    assert.deepEqual(await eventsOf([text]), [
      { id: '1', event: 'message', data: 'a' },
      { id: '1', event: 'message', data: 'b\nc' },
      { id: '2', event: 'end', data: 'd' },
    ]);
  });

  it('a CRLF cut between its CR and its LF is one line end, not a blank line that splits the event', async () => {
    const text = 'id: 7\r\ndata: first\r\ndata: second\r\n\r\n';
    // Every place the stream can be cut in two, and one byte at a time.
    const cuts = [...Array.from({ length: text.length - 1 }, (_, i) => [text.slice(0, i + 1), text.slice(i + 1)]), [...text]];
    for (const chunks of cuts) {
      assert.deepEqual(await eventsOf(chunks), [{ id: '7', event: 'message', data: 'first\nsecond' }], JSON.stringify(chunks));
    }
  });

  it('an event cut off before its blank line is not dispatched (the spec drops it)', async () => {
    assert.deepEqual(await eventsOf(['data: whole\n\n', 'data: partial\n']), [{ id: undefined, event: 'message', data: 'whole' }]);
  });
});
