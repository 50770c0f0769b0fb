/**
 * Generates src/client/api-types.ts (the SDK's types) from Vidgate's OpenAPI document, so the SDK's
 * types are the contract's, never hand-copied. `npm run gen:client-types` rewrites the file;
 * test/client/api-types.test.ts fails when the checked-in file differs from a fresh generation.
 */
import fs from 'node:fs';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { openApiDocument } from '../src/http/docs/openapi.js';
import { PACKAGE_ROOT } from '../src/http/package-root.js';

export const CLIENT_TYPES_PATH = path.join(PACKAGE_ROOT, 'src', 'client', 'api-types.ts');

const HEADER = `/**
 * Generated from Vidgate's OpenAPI document (GET /openapi.json) by scripts/generate-client-types.ts.
 * Do not edit: run \`npm run gen:client-types\`.
 */
/* eslint-disable */
`;

export async function generateClientTypes(): Promise<string> {
  const ast = await openapiTS(structuredClone(openApiDocument()) as never, { alphabetize: true, defaultNonNullable: false });
  return HEADER + astToString(ast);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  fs.writeFileSync(CLIENT_TYPES_PATH, await generateClientTypes());
  process.stdout.write(`wrote ${path.relative(process.cwd(), CLIENT_TYPES_PATH)}\n`);
}
