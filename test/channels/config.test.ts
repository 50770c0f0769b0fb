/**
 * Channels from the environment (one per protocol, key pools) and from VIDGATE_CONFIG (validated
 * with one-line errors naming the JSON path), through loadConfig as the gateway reads them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vidgate-channels-config-'));
let n = 0;
function configFile(content: unknown): string {
  const file = path.join(tmp, `vidgate-${n++}.json`);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const ids = (env: Record<string, string>) => loadConfig(env).channels.map((c) => c.id);
function refused(env: Record<string, string>, pattern: RegExp): void {
  assert.throws(
    () => loadConfig(env),
    (err: unknown) => err instanceof ConfigError && pattern.test(err.message) && !err.message.includes('\n'),
  );
}

const openai = (extra: object = {}) => ({ id: 'sora-a', provider: 'openai', credentials: { OPENAI_API_KEY: 'sk-proj-aaaaaaaaaaaaaaaaaaaa' }, ...extra });

describe('channels from the environment', () => {
  it('names each channel after its protocol; every protocol of a manifest can be configured', () => {
    const env = {
      OPENAI_API_KEY: 'sk-proj-1',
      AZURE_OPENAI_API_KEY: 'az-key',
      AZURE_OPENAI_ENDPOINT: 'https://my-resource.openai.azure.com/',
      ARK_API_KEY: 'ark-1',
      VOLCENGINE_ARK_API_KEY: 'volc-1',
      KLING_API_KEY: 'kl-1',
      KLING_ACCESS_KEY: 'AK',
      KLING_SECRET_KEY: 'SK',
    };
    const channels = loadConfig(env).channels;
    assert.deepEqual(
      channels.map((c) => [c.id, c.provider, c.protocol]),
      [
        ['openai', 'openai', 'openai'],
        ['azure-openai', 'openai', 'azure-openai'],
        ['kling-api-key', 'kling', 'kling-api-key'],
        ['kling-jwt', 'kling', 'kling-jwt'],
        ['byteplus-ark', 'seedance', 'byteplus-ark'],
        ['volcengine-ark', 'seedance', 'volcengine-ark'],
      ],
    );
    const azure = channels.find((c) => c.id === 'azure-openai')!;
    assert.equal(azure.endpoint.baseUrl, 'https://my-resource.openai.azure.com');
    assert.deepEqual(azure.endpoint.credentials, { AZURE_OPENAI_API_KEY: 'az-key' });
    // Each Kling channel carries only its own credential.
    assert.deepEqual(Object.keys(channels.find((c) => c.id === 'kling-jwt')!.endpoint.credentials), ['KLING_ACCESS_KEY', 'KLING_SECRET_KEY']);
    // The provider's default protocol first; its other protocols stand by.
    assert.ok(channels.find((c) => c.id === 'openai')!.priority > azure.priority);
  });

  it('a comma-separated key list is a pool: one channel per key, of equal priority', () => {
    const channels = loadConfig({ OPENAI_API_KEY: 'sk-a, sk-b,sk-c' }).channels;
    assert.deepEqual(
      channels.map((c) => [c.id, c.endpoint.credentials.OPENAI_API_KEY, c.priority]),
      [
        ['openai-1', 'sk-a', 0],
        ['openai-2', 'sk-b', 0],
        ['openai-3', 'sk-c', 0],
      ],
    );
    // A pair pools by position; a single value is shared.
    assert.deepEqual(ids({ KLING_ACCESS_KEY: 'a1,a2', KLING_SECRET_KEY: 's1,s2' }), ['kling-jwt-1', 'kling-jwt-2']);
    refused({ KLING_ACCESS_KEY: 'a1,a2,a3', KLING_SECRET_KEY: 's1,s2' }, /KLING_ACCESS_KEY lists 3 values but .* lists|KLING_SECRET_KEY lists 2 values but KLING_ACCESS_KEY lists 3/);
  });

  it('a key variable holding only commas and blanks, or an empty entry among keys paired by position, is refused in one line that does not repeat it', () => {
    // Silently ignored, such a variable configured no channel — and with no other credential the gateway started in sandbox mode.
    for (const value of [',', ' , ', ',,,', ' ,\t, ']) refused({ OPENAI_API_KEY: value }, /^OPENAI_API_KEY is set but lists no key/);
    refused({ KLING_ACCESS_KEY: 'a1', KLING_SECRET_KEY: ',' }, /^KLING_SECRET_KEY is set but lists no key/);
    refused({ VERTEX_ACCESS_TOKEN: ' , ', VERTEX_PROJECT: 'p' }, /^VERTEX_ACCESS_TOKEN is set but lists no key/);
    // Paired by position, a blank entry would shift the pairs: ',a2' beside 's1,s2' gave a2 both secrets.
    refused({ KLING_ACCESS_KEY: 'ak-secret-1,', KLING_SECRET_KEY: 'sk-secret-1,sk-secret-2' }, /^KLING_ACCESS_KEY has an empty entry \(2 of 2\), and its keys pair by position with KLING_SECRET_KEY(?!.*secret-)/);
    refused({ KLING_ACCESS_KEY: 'a1,a2', KLING_SECRET_KEY: ',s2' }, /^KLING_SECRET_KEY has an empty entry \(1 of 2\)/);
    // A lone pool: a trailing or doubled comma drops no key (a configuration that started before still does).
    assert.deepEqual(ids({ OPENAI_API_KEY: 'sk-a,,sk-b' }), ['openai-1', 'openai-2']);
    assert.deepEqual(ids({ ARK_API_KEY: 'ark-1, ' }), ['byteplus-ark']);
    // Unset, empty or blank is simply not configured, as for every other variable.
    for (const value of ['', '  ']) assert.deepEqual(loadConfig({ OPENAI_API_KEY: value }).channels, []);
  });

  it('an incomplete setting is one line naming what is missing', () => {
    refused({ AZURE_OPENAI_API_KEY: 'k' }, /^openai \(azure-openai\) needs AZURE_OPENAI_ENDPOINT/);
    refused({ KLING_SECRET_KEY: 'SK' }, /kling \(kling-jwt\) needs KLING_ACCESS_KEY \+ KLING_SECRET_KEY; missing KLING_ACCESS_KEY/);
    refused({ AZURE_OPENAI_API_KEY: 'k', AZURE_OPENAI_ENDPOINT: 'ftp://x' }, /AZURE_OPENAI_ENDPOINT must be an http\(s\) URL/);
    // fetch refuses a URL with user:password@ (every create would fail as if sent); a query would swallow the paths. The secret is not repeated.
    refused({ OPENAI_API_KEY: 'sk-x', OPENAI_BASE_URL: 'https://user:hunter2@proxy.example.com/v1' }, /^OPENAI_BASE_URL must not carry credentials(?!.*hunter2)/);
    refused({ OPENAI_API_KEY: 'sk-x', OPENAI_BASE_URL: 'https://proxy.example.com/v1?key=abc' }, /^OPENAI_BASE_URL must be a plain base URL/);
  });
});

describe('VIDGATE_CONFIG', () => {
  it('defines any number of channels, several per provider, with secrets inline or from the environment', () => {
    const file = configFile({
      channels: [
        openai({ priority: 5, weight: 3, concurrency: 2, rpm: 30, models: ['sora-2'] }),
        { id: 'sora-b', provider: 'openai', protocol: 'azure-openai', base_url: 'https://b.openai.azure.com', credentials: { AZURE_OPENAI_API_KEY: { env: 'MY_AZURE_KEY' } }, models: { 'sora-2': 'my-deployment' } },
      ],
    });
    const config = loadConfig({ VIDGATE_CONFIG: file, MY_AZURE_KEY: 'from-env' });
    assert.equal(config.sandbox, false, 'configured channels turn the sandbox off like credentials do');
    const [a, b] = config.channels;
    assert.deepEqual([a.id, a.protocol, a.priority, a.weight, a.concurrency, a.rpm, a.models], ['sora-a', 'openai', 5, 3, 2, 30, { 'sora-2': null }]);
    assert.deepEqual([b.id, b.endpoint.credentials.AZURE_OPENAI_API_KEY, b.models, b.priority, b.weight], ['sora-b', 'from-env', { 'sora-2': 'my-deployment' }, 0, 1]);
  });

  it('refuses a bad file with one line naming the JSON path', () => {
    const cases: [unknown, RegExp][] = [
      ['{not json', /VIDGATE_CONFIG \(.*\) is not valid JSON/],
      [{ channel: [] }, /channels: /],
      [{ channels: [openai({ id: 'Sora A' })] }, /channels\[0\]\.id: must be lowercase letters, digits and dashes/],
      [{ channels: [openai({ provider: 'runway' })] }, /channels\[0\]\.provider: /],
      [{ channels: [openai({ protocol: 'videos-api' })] }, /channels\[0\]\.protocol: 'videos-api' is not a protocol of openai \(known: openai, azure-openai\)/],
      [{ channels: [openai({ credentials: {} })] }, /channels\[0\]\.credentials: openai needs OPENAI_API_KEY/],
      [{ channels: [openai({ credentials: { OPENAI_KEY: 'x' } })] }, /channels\[0\]\.credentials\.OPENAI_KEY: is not a credential of openai/],
      [{ channels: [openai({ credentials: { OPENAI_API_KEY: { env: 'UNSET_VAR_FOR_TEST' } } })] }, /channels\[0\]\.credentials\.OPENAI_API_KEY: names the environment variable UNSET_VAR_FOR_TEST, which is not set/],
      [{ channels: [openai({ credentials: { OPENAI_API_KEY: ' , ' } })] }, /channels\[0\]\.credentials\.OPENAI_API_KEY: holds no key, only commas and blanks/],
      [{ channels: [openai({ protocol: 'azure-openai', credentials: { AZURE_OPENAI_API_KEY: 'k' } })] }, /channels\[0\]\.base_url: is required for azure-openai/],
      [{ channels: [openai({ base_url: 'not a url' })] }, /channels\[0\]\.base_url: must be an http\(s\) URL/],
      [{ channels: [openai({ base_url: 'https://user:hunter2@proxy.example.com/v1' })] }, /channels\[0\]\.base_url: must not carry credentials(?!.*hunter2)/],
      [{ channels: [openai({ base_url: 'https://proxy.example.com/v1#x' })] }, /channels\[0\]\.base_url: must be a plain base URL/],
      [{ channels: [openai({ models: ['veo3'] })] }, /channels\[0\]\.models\.veo3: is not a openai model \(openai has sora-2/],
      [{ channels: [openai({ models: [] })] }, /channels\[0\]\.models: must name at least one model/],
      [{ channels: [openai({ models: {} })] }, /channels\[0\]\.models: must name at least one model/],
      [{ channels: [openai({ models: 'sora-2' })] }, /channels\[0\]\.models: must be a list of model ids, or an object/],
      [{ channels: [openai({ weight: 0 })] }, /channels\[0\]\.weight: must be at least 1/],
      [{ channels: [openai({ concurrency: 1.5 })] }, /channels\[0\]\.concurrency: must be a whole number/],
      [{ channels: [openai({ colour: 'red' })] }, /channels\[0\]/],
      [{ channels: [openai(), openai()] }, /channels\[1\]\.id: 'sora-a' is used by an earlier channel/],
    ];
    for (const [content, pattern] of cases) refused({ VIDGATE_CONFIG: configFile(content) }, pattern);
    refused(
      { VIDGATE_CONFIG: configFile({ channels: [openai({ credentials: { OPENAI_API_KEY: { env: 'SORA_KEY' } } })] }), SORA_KEY: ',' },
      /channels\[0\]\.credentials\.OPENAI_API_KEY: names the environment variable SORA_KEY, which holds no key/,
    );
    refused({ VIDGATE_CONFIG: path.join(tmp, 'missing.json') }, /VIDGATE_CONFIG: cannot read .*missing\.json \(ENOENT\)/);
    // Ids are unique across the file and the environment too.
    refused({ VIDGATE_CONFIG: configFile({ channels: [openai({ id: 'openai' })] }), OPENAI_API_KEY: 'sk-x' }, /channel id 'openai' is defined twice/);
  });

  it("the README's example file is valid", () => {
    const file = path.join(import.meta.dirname, '..', '..', 'examples', 'vidgate.json');
    const env = { VIDGATE_CONFIG: file, SORA_OPENAI_KEY: 'sk-1', SORA_AZURE_EU_KEY: 'az', VOLC_ARK_KEY: 'v', KLING_AK_2: 'ak', KLING_SK_2: 'sk' };
    assert.deepEqual(ids(env), ['sora-openai', 'sora-azure-eu', 'seedance-cn', 'kling-backup']);
    const readme = fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    assert.ok(readme.includes(fs.readFileSync(file, 'utf8').trim()), 'README shows examples/vidgate.json as it is');
  });
});
