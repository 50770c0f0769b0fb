/**
 * Checks real answers against Vidgate's own OpenAPI document (GET /openapi.json, OpenAPI 3.1 =
 * JSON Schema 2020-12): `checkAnswer(doc, 'get', '/v1/tasks/{id}', res)` validates the body
 * against the schema documented for that path, method and status, and fails when the status is
 * not documented at all.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020') as typeof import('ajv/dist/2020.js').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>> };

export class OwnApiChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
  private readonly cache = new Map<string, ValidateFunction>();
  /** (method path status) seen by checkAnswer, to report coverage. */
  readonly checked = new Set<string>();

  constructor(readonly doc: Doc) {
    addFormats(this.ajv);
    this.ajv.addSchema({ ...(doc as object), $id: 'vidgate' });
  }

  private validator(method: string, path: string, status: number): ValidateFunction | null {
    const op = this.doc.paths[path]?.[method];
    assert.ok(op, `${method.toUpperCase()} ${path} is not in the document`);
    const res = op.responses[String(status)];
    assert.ok(res, `${method.toUpperCase()} ${path} answered ${status}, which the document does not list (${Object.keys(op.responses).join(', ')})`);
    if (!res.content?.['application/json']) return null;
    const key = `${method} ${path} ${status}`;
    let fn = this.cache.get(key);
    if (!fn) {
      const pointer = `#/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}/responses/${status}/content/application~1json/schema`;
      fn = this.ajv.getSchema(`vidgate${pointer}`);
      assert.ok(fn, `no schema at ${pointer}`);
      this.cache.set(key, fn);
    }
    return fn;
  }

  /** Validates a JSON answer (already parsed) for the documented path template; returns the body. */
  check<T = Record<string, any>>(method: string, path: string, status: number, body: unknown): T {
    this.checked.add(`${method.toUpperCase()} ${path} ${status}`);
    const fn = this.validator(method, path, status);
    if (fn && !fn(body)) {
      const errors = (fn.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`);
      assert.fail(`${method.toUpperCase()} ${path} ${status} does not match the document:\n${errors.join('\n')}\n${JSON.stringify(body).slice(0, 600)}`);
    }
    return body as T;
  }

  /** Reads a fetch Response and validates it. */
  async answer<T = Record<string, any>>(method: string, path: string, res: Response): Promise<T> {
    const type = res.headers.get('content-type') ?? '';
    const body = type.includes('json') ? await res.json() : await res.text();
    return this.check<T>(method, path, res.status, body);
  }
}
