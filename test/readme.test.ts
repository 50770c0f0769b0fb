import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { defaultCatalog } from '../src/catalog/index.js';
import { lifecycleAt } from '../src/catalog/lifecycle.js';
import { providerEnvironmentNames } from '../src/providers/registry.js';

const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const configSource = ['../src/config.ts', '../src/webhooks/config.ts'].map((f) => fs.readFileSync(new URL(f, import.meta.url), 'utf8')).join('\n');

describe('the README stays true', () => {
  it('lists every model of the catalog with its operations', () => {
    for (const m of defaultCatalog().all()) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${m.id}\` |`));
      assert.ok(row, `README has no row for ${m.id}`);
      for (const op of m.operations) assert.ok(row.includes(op.operation), `${m.id} row misses ${op.operation}`);
    }
  });

  it('lists the durations each model accepts (the catalog decides; a footnote mark is not a duration)', () => {
    for (const m of defaultCatalog().all()) {
      const cell = readme
        .split('\n')
        .find((l) => l.startsWith(`| \`${m.id}\` |`))!
        .split('|')[4]
        .trim();
      if (cell === 'follows the source') continue;
      const listed = cell.split(', ').flatMap((part) => {
        const [from, to] = part.replace(/[¹²³]/g, '').split('–').map(Number);
        return to === undefined ? [from] : Array.from({ length: to - from + 1 }, (_, i) => from + i);
      });
      assert.deepEqual(listed, m.durations, `${m.id}: README says ${cell}`);
    }
  });

  it('states the maximum source length of every model billed by its source video', () => {
    const para = readme.slice(readme.indexOf('- **Billing by the source video.**'));
    const bullet = para.slice(0, para.indexOf('\n- **'));
    assert.ok(bullet.length > 100, 'README has the source-billing paragraph');
    for (const m of defaultCatalog().all()) {
      for (const op of m.operations.filter((o) => o.source_video)) {
        const at = bullet.indexOf(`\`${m.id}\``);
        assert.ok(at >= 0, `README does not name ${m.id} among the source-billed models`);
        const after = bullet.slice(at).replace(/\s+/g, ' ');
        assert.match(after, new RegExp(`^[^(]*\\((at most )?${op.source_video!.max_seconds.toString().replace('.', '\\.')} s`), `${m.id}: ${op.source_video!.max_seconds} s`);
      }
    }
  });

  it('its quickstart examples (curl, CLI, SDK, openai SDK) use models that are in service today, none deprecated or retired', () => {
    const blocks = [...readme.matchAll(/<!-- (quickstart[\w-]*):start -->([\s\S]*?)<!-- \1:end -->/g)];
    assert.equal(blocks.length, 4);
    const catalog = defaultCatalog();
    for (const [, name, text] of blocks) {
      const models = [...text.matchAll(/"model":\s*"([^"]+)"|\bmodel:\s*'([^']+)'|--model\s+(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
      assert.ok(models.length > 0, `${name} names a model`);
      for (const id of models) {
        const spec = catalog.get(id);
        assert.ok(spec, `${name}: ${id} is in the catalog`);
        assert.ok(['active', 'preview'].includes(lifecycleAt(spec, Date.now()).stage), `${name}: ${id} is ${lifecycleAt(spec, Date.now()).stage}`);
      }
    }
  });

  it('the OpenAI create row puts image_url inside input_reference, where POST /v1/videos reads it (a top-level one is refused)', () => {
    const row = readme.split('\n').find((l) => l.startsWith('| `POST /v1/videos` |')) ?? '';
    assert.match(row, /"input_reference": \{"image_url": "https:\/\/…"\}/);
    assert.doesNotMatch(row, /, or `\{"image_url": …\}`/);
  });

  it("says the SDK runs in a browser only on the gateway's own origin: the gateway sends no CORS headers, on purpose", () => {
    const para = readme.slice(readme.indexOf('`vidgate/client` has no dependencies'));
    const sdk = para.slice(0, para.indexOf('\n\n')).replace(/\s+/g, ' ');
    assert.match(sdk, /own origin/);
    assert.match(sdk, /no CORS headers/);
    assert.match(sdk, /backend/);
  });

  it('names every provider credential and base-URL variable', () => {
    for (const names of Object.values(providerEnvironmentNames())) {
      for (const v of names) assert.ok(readme.includes(`\`${v}\``), `README does not mention ${v}`);
    }
  });

  it('aggregates the cluster-wide gauge with max: summing it over N nodes counts every task N times', () => {
    const queries = readme.slice(readme.indexOf('```promql'), readme.indexOf('```', readme.indexOf('```promql') + 3));
    assert.match(queries, /^max by \(state\) \(vidgate_tasks_in_state\)/m);
    assert.doesNotMatch(queries, /sum[^\n]*vidgate_tasks_in_state/);
  });

  it('says the open-waits limit is counted on each node (test/e2e/two-nodes.test.ts), not across the cluster', () => {
    const row = readme.split('\n').find((l) => l.startsWith('| `VIDGATE_MAX_WAITS_PER_KEY` |')) ?? '';
    assert.match(row, /on each node/);
    assert.match(readme, /limited per key on each node \(`VIDGATE_MAX_WAITS_PER_KEY`/);
  });

  it('documents every VIDGATE_ setting the configuration reads', () => {
    const read = new Set([...configSource.matchAll(/'(VIDGATE_[A-Z_]+)'/g)].map((m) => m[1]));
    assert.ok(read.size > 10);
    for (const v of read) assert.ok(readme.includes(v), `README does not document ${v}`);
  });
});
