/**
 * `npm run bench`: throughput of the gateway against a plain node:http baseline, in one run on
 * loopback, so machine noise hits both sides alike. Reports ratios (gateway / baseline).
 *   BENCH_SECONDS (default 5) per round, BENCH_CONNECTIONS (default 32), BENCH_ROUNDS (default 3).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { generateSecret } from '../src/keys/keys.js';
import { startGateway } from '../src/server.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return `http://127.0.0.1:${addr.port}`;
}

async function measure(opts: Parameters<typeof autocannon>[0]): Promise<number> {
  const r = await autocannon({ connections, duration: seconds, ...opts });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`benchmark saw ${r.non2xx} non-2xx answers and ${r.errors} errors at ${opts.url}`);
  return r.requests.average;
}

async function startBenchGateway(role: 'all' | 'api') {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-bench-'));
  const adminKey = generateSecret();
  const config = loadConfig({ PORT: '0', VIDGATE_DATA_DIR: dataDir, VIDGATE_ADMIN_KEY: adminKey, VIDGATE_SANDBOX: '1', VIDGATE_SANDBOX_SPEED: '50', VIDGATE_ROLE: role, LOG_LEVEL: 'warn', VIDGATE_RATE_LIMIT_RPM: '1000000000' }); // limiter on (its cost counts) but never hit
  const gw = await startGateway(config, pino({ level: 'warn' }));
  return { gw, adminKey, dataDir };
}

async function main(): Promise<void> {
  // 1. A completed task to read.
  const { gw, adminKey, dataDir } = await startBenchGateway('all');
  const auth = { authorization: `Bearer ${adminKey}` };
  const created = (await (await fetch(`${gw.url}/v1/videos/generations`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'veo3.1-fast', prompt: 'bench', duration: 4 }) })).json()) as { id: string };
  let task: Record<string, unknown> = {};
  for (let i = 0; i < 600 && task.status !== 'completed'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    task = (await (await fetch(`${gw.url}/v1/tasks/${created.id}`, { headers: auth })).json()) as Record<string, unknown>;
  }
  if (task.status !== 'completed') throw new Error(`bench task did not complete: ${JSON.stringify(task)}`);
  // And one that stays running (the simulator never finishes it): its reads always go to SQLite.
  const running = (await (await fetch(`${gw.url}/v1/videos/generations`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'veo3.1-fast', prompt: 'bench running [sim:hang]', duration: 4 }) })).json()) as { id: string };

  // 2. The baseline: plain node:http answering the same JSON from memory.
  const body = JSON.stringify(task);
  const plain = http.createServer((req, res) => {
    if (req.method === 'POST') {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        JSON.parse(data);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  const plainUrl = await listen(plain);

  // 3. Task reads, alternating rounds so drift affects both sides.
  const readPlain: number[] = [];
  const readGw: number[] = [];
  const readRunning: number[] = [];
  for (let i = 0; i < rounds; i++) {
    readPlain.push(await measure({ url: `${plainUrl}/v1/tasks/${created.id}` }));
    readGw.push(await measure({ url: `${gw.url}/v1/tasks/${created.id}`, headers: auth }));
    readRunning.push(await measure({ url: `${gw.url}/v1/tasks/${running.id}`, headers: auth }));
  }
  await gw.close();
  fs.rmSync(dataDir, { recursive: true, force: true });

  // 4. Creates, on an API-only node (no engine: we measure the durable insert, not video rendering).
  const api = await startBenchGateway('api');
  const createBody = JSON.stringify({ model: 'veo3.1-fast', prompt: 'bench create', duration: 4, aspect_ratio: '16:9' });
  const createPlain: number[] = [];
  const createGw: number[] = [];
  for (let i = 0; i < rounds; i++) {
    createPlain.push(await measure({ url: `${plainUrl}/v1/videos/generations`, method: 'POST', headers: { 'content-type': 'application/json' }, body: createBody }));
    createGw.push(await measure({ url: `${api.gw.url}/v1/videos/generations`, method: 'POST', headers: { authorization: `Bearer ${api.adminKey}`, 'content-type': 'application/json' }, body: createBody }));
  }
  await api.gw.close();
  fs.rmSync(api.dataDir, { recursive: true, force: true });
  plain.close();

  const rows = [
    { what: 'GET /v1/tasks/{id} (completed)', plain: median(readPlain), gateway: median(readGw) },
    { what: 'GET /v1/tasks/{id} (processing)', plain: median(readPlain), gateway: median(readRunning) },
    { what: 'POST /v1/videos/generations', plain: median(createPlain), gateway: median(createGw) },
  ];
  console.log(`\nVidgate bench: ${rounds} rounds × ${seconds}s, ${connections} connections, node ${process.version}, ${os.cpus().length} cores`);
  console.log('what'.padEnd(36), 'plain req/s'.padStart(12), 'gateway req/s'.padStart(14), 'ratio'.padStart(7));
  for (const r of rows) console.log(r.what.padEnd(36), r.plain.toFixed(0).padStart(12), r.gateway.toFixed(0).padStart(14), (r.gateway / r.plain).toFixed(2).padStart(7));
  for (const r of rows.slice(0, 2)) {
    const ratio = r.gateway / r.plain;
    console.log(`${r.what}: ${ratio.toFixed(2)}× the plain server (target ≥ 0.60×) → ${ratio >= 0.6 ? 'PASS' : 'BELOW TARGET'}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
