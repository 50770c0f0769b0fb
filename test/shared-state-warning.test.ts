/**
 * The start-up warning for a node on PostgreSQL that keeps state of its own (in-process simulators,
 * blobs in its data directory), read from configurations as loadConfig builds them.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { loadConfig } from '../src/config.js';
import { sharedStateWarning } from '../src/shared-state-warning.js';

const PG = { VIDGATE_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/vidgate', VIDGATE_DATA_DIR: '/tmp/vidgate-node-a' };

it('SQLite (one node by construction): no warning, whatever else is set', () => {
  assert.equal(sharedStateWarning(loadConfig({ VIDGATE_SANDBOX: '1', VIDGATE_DATA_DIR: '/tmp/x' })), null);
});

it('PostgreSQL with the in-process simulators and default blobs: one line naming both fixes', () => {
  const line = sharedStateWarning(loadConfig({ ...PG, VIDGATE_SANDBOX: '1' }));
  assert.ok(line);
  assert.doesNotMatch(line, /\n/);
  assert.match(line, /npm run sim/);
  assert.match(line, /VIDGATE_SANDBOX=0/);
  assert.match(line, /GOOGLE_BASE_URL=/);
  assert.match(line, /VIDGATE_BLOB_URL/);
  assert.match(line, /\/tmp\/vidgate-node-a\/blobs/);
});

it('PostgreSQL with shared blobs but in-process simulators: only the simulator half', () => {
  const line = sharedStateWarning(loadConfig({ ...PG, VIDGATE_SANDBOX: '1', VIDGATE_BLOB_URL: 's3://outputs?endpoint=http://127.0.0.1:9000' }));
  assert.ok(line);
  assert.match(line, /npm run sim/);
  assert.doesNotMatch(line, /VIDGATE_BLOB_URL/);
});

it('PostgreSQL with real channels and default blobs: only the blob half', () => {
  const line = sharedStateWarning(loadConfig({ ...PG, GEMINI_API_KEY: 'AIzaSyTest0000000000000000000000000000' }));
  assert.ok(line);
  assert.match(line, /VIDGATE_BLOB_URL/);
  assert.doesNotMatch(line, /npm run sim/);
});

it('PostgreSQL with no simulators and an explicit blob location (S3, or a directory the operator shares): no warning', () => {
  const channels = { GEMINI_API_KEY: 'AIzaSyTest0000000000000000000000000000' };
  assert.equal(sharedStateWarning(loadConfig({ ...PG, ...channels, VIDGATE_BLOB_URL: 's3://outputs' })), null);
  assert.equal(sharedStateWarning(loadConfig({ ...PG, ...channels, VIDGATE_BLOB_URL: 'file:///mnt/shared/vidgate' })), null);
});
