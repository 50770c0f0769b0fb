import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { CLIENT_TYPES_PATH, generateClientTypes } from '../../scripts/generate-client-types.js';

describe('SDK types', () => {
  it('src/client/api-types.ts is what the OpenAPI document generates (run `npm run gen:client-types` after changing it)', async () => {
    assert.equal(fs.readFileSync(CLIENT_TYPES_PATH, 'utf8'), await generateClientTypes());
  });
});
