/**
 * The sandbox's control server: lets a test in another process read every simulator's counters and
 * drive its fault controls, when the simulators run as their own process (`npm run sim`).
 *
 *   GET  /stats                  → { "<provider>": <that simulator's stats>, … }
 *   POST /faults/<provider>      {"method":"setLatency","args":[500]} → calls faults.setLatency(500)
 *   POST /faults/<provider>/reset → calls faults.reset()
 *
 * Loopback only, no auth: it is a test hook, never to be exposed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeServer, createSimServer, listen, readJsonBody, sendJson, type SimHttpError } from './http-util.js';
import type { RunningSimulator } from './simulators.js';

export interface ControlServer {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
}

class ControlError extends Error implements SimHttpError {
  readonly headers: Record<string, string> = {};
  constructor(
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }
  toBody() {
    return { error: this.message };
  }
}

const FAULTS_PATH = /^\/faults\/([a-z0-9-]+)(\/reset)?$/;
/** The simulators' own bookkeeping (takeRequestFault, queueJobOutcome, …) is not a control. */
const INTERNAL_METHOD = /^(constructor|take|queue|is[A-Z]|_)/;

/** Methods a simulator's fault-control object offers (own and inherited), callable from outside. */
function controlMethods(faults: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = faults; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (!INTERNAL_METHOD.test(name) && typeof (faults as Record<string, unknown>)[name] === 'function') names.add(name);
    }
  }
  return [...names].sort();
}

export async function startControlServer(simulators: Partial<Record<string, RunningSimulator>>, opts: { port?: number } = {}): Promise<ControlServer> {
  const faultsOf = (provider: string): Record<string, unknown> => {
    const sim = simulators[provider];
    if (!sim) throw new ControlError(404, `no simulator '${provider}' (known: ${Object.keys(simulators).join(', ')})`);
    if (typeof sim.faults !== 'object' || sim.faults === null) throw new ControlError(404, `simulator '${provider}' has no fault controls`);
    return sim.faults as Record<string, unknown>;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://control.invalid').pathname;
    if (path === '/stats' && req.method === 'GET') {
      sendJson(res, 200, Object.fromEntries(Object.entries(simulators).map(([name, sim]) => [name, sim?.stats])));
      return;
    }
    const m = FAULTS_PATH.exec(path);
    if (!m) throw new ControlError(404, 'routes: GET /stats, POST /faults/<provider>, POST /faults/<provider>/reset');
    if (req.method !== 'POST') throw new ControlError(405, `use POST ${path}`);
    const faults = faultsOf(m[1]);
    if (m[2]) {
      (faults.reset as () => void)();
      sendJson(res, 200, { ok: true });
      return;
    }
    const body = (await readJsonBody(req, 64 * 1024, (why) => new ControlError(400, why === 'too-large' ? 'body too large' : 'body is not JSON'))) as { method?: unknown; args?: unknown };
    const allowed = controlMethods(faults);
    if (typeof body?.method !== 'string' || !allowed.includes(body.method)) {
      throw new ControlError(400, `"method" must be one of ${m[1]}'s fault controls: ${allowed.join(', ')}`);
    }
    if (body.args !== undefined && !Array.isArray(body.args)) throw new ControlError(400, '"args" must be an array');
    let result: unknown;
    try {
      result = (faults[body.method] as (...a: unknown[]) => unknown).apply(faults, (body.args as unknown[] | undefined) ?? []);
    } catch (err) {
      throw new ControlError(400, `${m[1]}.${body.method} refused the arguments: ${err instanceof Error ? err.message : String(err)}`);
    }
    sendJson(res, 200, { ok: true, ...(result !== undefined ? { result } : {}) });
  }

  const server = createSimServer(handle, (err) => (err instanceof ControlError ? err : new ControlError(500, err instanceof Error ? err.message : String(err))));
  // Loopback only, whatever host the simulators listen on.
  const url = await listen(server, '127.0.0.1', opts.port ?? 0);
  return { url, close: () => closeServer(server) };
}
