/**
 * Validates response bodies against TokenLab's official OpenAPI schemas (shared/spec/tokenlab-openapi-video.json).
 * The file is OpenAPI 3.0.3 with JSON-Schema-style `type: [..., "null"]` arrays, which Ajv handles
 * with strict mode off. The whole document is registered once under the id "openapi", so every
 * internal "#/components/schemas/X" $ref resolves.
 *
 * validateAgainst(name, body) accepts:
 *   - a component schema name: "Model", "ModelListItem", "VideoTaskResponse", "ApiError", ...
 *   - "ModelsListResponse": the GET /v1/models 200 body (oneOf full | compact view)
 *   - a JSON pointer into the document: "#/paths/~1v1~1tasks~1{id}/get/responses/200/content/application~1json/schema"
 * It returns readable error strings; an empty array means valid.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);
// ajv and ajv-formats are CommonJS; createRequire sidesteps default-export interop differences.
const Ajv = require('ajv') as typeof import('ajv').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

/** A verbatim copy of TokenLab's official OpenAPI file, kept in the repo so a clone is self-contained. */
export const OPENAPI_PATH = fileURLToPath(new URL('../../spec/tokenlab-openapi-video.json', import.meta.url));

const SPEC_PATH_CANDIDATES = [OPENAPI_PATH];

function loadSpec(): Record<string, unknown> {
  for (const p of SPEC_PATH_CANDIDATES) {
    try {
      return JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
    } catch {
      /* try the next location */
    }
  }
  throw new Error(`OpenAPI file not found; looked in ${SPEC_PATH_CANDIDATES.join(', ')}`);
}

const SYNTHETIC: Record<string, string> = {
  ModelsListResponse: '#/paths/~1v1~1models/get/responses/200/content/application~1json/schema',
};

let ajv: InstanceType<typeof Ajv> | undefined;
const cache = new Map<string, ValidateFunction>();

function instance(): InstanceType<typeof Ajv> {
  if (ajv) return ajv;
  ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  ajv.addSchema({ ...loadSpec(), $id: 'openapi' });
  return ajv;
}

function validatorFor(schemaName: string): ValidateFunction {
  const cached = cache.get(schemaName);
  if (cached) return cached;
  const pointer = SYNTHETIC[schemaName] ?? (schemaName.startsWith('#/') ? schemaName : `#/components/schemas/${schemaName}`);
  const fn = instance().getSchema(`openapi${pointer}`);
  if (!fn) throw new Error(`No schema at ${pointer} in the OpenAPI file`);
  cache.set(schemaName, fn);
  return fn;
}

function describe(e: ErrorObject): string {
  const where = e.instancePath || '(root)';
  const extra =
    e.keyword === 'additionalProperties'
      ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'`
      : e.keyword === 'enum'
        ? ` ${JSON.stringify((e.params as { allowedValues: unknown }).allowedValues)}`
        : '';
  return `${where} ${e.message ?? e.keyword}${extra} [${e.schemaPath}]`;
}

export function validateAgainst(schemaName: string, body: unknown): string[] {
  const fn = validatorFor(schemaName);
  return fn(body) ? [] : (fn.errors ?? []).map(describe);
}
