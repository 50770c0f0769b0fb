import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { launchBrowser, type Browser } from '../helpers/browser.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

describe('the web playground and the docs page in real headless Chromium', { timeout: 300_000 }, () => {
  let gw: TestGateway;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    gw = await startTestGateway();
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  });
  after(async () => {
    await browser.close();
    await gw.close();
  });

  async function openPlayground(withKey = true): Promise<void> {
    await page.goto(`${gw.url}/`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    if (withKey) {
      await page.getByLabel('API key').fill(gw.adminKey);
      await page.getByLabel('API key').dispatchEvent('change');
    }
  }

  it('the model drives the other controls; the API key stays in local storage only', async () => {
    await openPlayground(false);
    assert.equal(await page.getByLabel('API key').inputValue(), '', 'a fresh browser has no key');
    await page.getByLabel('API key').fill(gw.adminKey);
    await page.getByLabel('API key').dispatchEvent('change');
    const models = await page.getByLabel('Model').locator('option').allTextContents();
    assert.ok(models.includes('veo3.1-fast') && models.includes('kling-3.0-video') && models.includes('topaz-video-upscale'), models.join(','));

    await page.getByLabel('Model').selectOption('veo3.1-fast');
    await page.waitForFunction(() => (document.getElementById('duration-hint')?.textContent ?? '').includes('4, 5, 6, 8'));
    assert.deepEqual(await page.getByLabel('Operation').locator('option').allTextContents(), ['text-to-video', 'image-to-video', 'reference-to-video', 'start-end-to-video']);
    assert.deepEqual(await page.getByLabel('Aspect ratio').locator('option').allTextContents(), ['(model default)', '16:9', '9:16']);
    assert.deepEqual(await page.getByLabel('Resolution').locator('option').allTextContents(), ['(model default)', '720p', '1080p', '4k']);
    assert.equal(await page.getByLabel('Image', { exact: true }).isVisible(), false, 'no image input for text-to-video');
    await page.getByLabel('Operation').selectOption('image-to-video');
    assert.equal(await page.getByLabel('Image', { exact: true }).isVisible(), true);
    await page.getByLabel('Operation').selectOption('start-end-to-video');
    assert.equal(await page.getByLabel('Start image').isVisible(), true);
    assert.equal(await page.getByLabel('End image').isVisible(), true);

    // A video-to-video model: a video input, no duration to choose, its own resolutions.
    await page.getByLabel('Model').selectOption('topaz-video-upscale');
    await page.waitForFunction(() => (document.getElementById('operation') as HTMLSelectElement).value === 'video-to-video');
    assert.equal(await page.getByLabel('Video', { exact: true }).isVisible(), true);
    assert.deepEqual(await page.getByLabel('Resolution').locator('option').allTextContents(), ['(model default)', '1080p', '4k']);
    // Audio is offered only where the model can switch it.
    assert.equal(await page.getByLabel('Audio').isVisible(), false);
    await page.getByLabel('Model').selectOption('kling-3.0-video');
    await page.waitForFunction(() => (document.getElementById('duration-hint')?.textContent ?? '').includes('3, 4, 5'));
    assert.equal(await page.getByLabel('Audio').isVisible(), true);

    assert.equal(await page.evaluate(() => localStorage.getItem('vidgate.apiKey')), gw.adminKey);
    assert.deepEqual(await browser.context.cookies(), []);
    await openPlayground(false);
    assert.equal(await page.getByLabel('API key').inputValue(), gw.adminKey, 'remembered across reloads');
  });

  /** Holds the page's requests for one model's details until `release`; `finished` resolves once the held answer has reached the page. */
  async function holdModelDetails(id: string) {
    const path = `/v1/models/${id}`;
    let release!: (how: 'answer' | 'fail') => void;
    const held = new Promise<'answer' | 'fail'>((r) => (release = r));
    let asked!: () => void;
    const requested = new Promise<void>((r) => (asked = r));
    const matches = (url: URL) => url.pathname === path;
    await page.route(matches, async (route) => {
      asked();
      // 'fail': the connection drops (the page's fetch rejects), as when the network goes away.
      if ((await held) === 'fail') await route.abort('failed');
      else await route.continue();
    });
    const isPath = (r: { url(): string }) => new URL(r.url()).pathname === path;
    const finished = Promise.race([page.waitForEvent('requestfinished', { predicate: isPath, timeout: 30_000 }), page.waitForEvent('requestfailed', { predicate: isPath, timeout: 30_000 })]);
    // Awaited in release(); a test that fails before it must not leave this to reject unheard.
    finished.catch(() => undefined);
    return {
      requested,
      /** Lets the held request go: answered by the gateway, or failed. */
      async release(how: 'answer' | 'fail' = 'answer') {
        release(how);
        await finished;
        await page.unroute(matches);
        // The page's handler runs right after the answer: give it time to (wrongly) apply it.
        await page.waitForTimeout(500);
      },
      /** Lets any held request go and stops holding (a test that failed before release). */
      async dispose() {
        release('answer');
        await page.unroute(matches);
      },
    };
  }

  /** Chooses kling, then veo while kling's details are held; kling's request then ends `how`. */
  async function klingThenVeo(how: 'answer' | 'fail') {
    const kling = await holdModelDetails('kling-3.0-video');
    try {
      await page.getByLabel('Model').selectOption('kling-3.0-video');
      await kling.requested;
      await page.getByLabel('Model').selectOption('veo3.1-fast');
      await page.waitForFunction(() => (document.getElementById('duration-hint')?.textContent ?? '').includes('4, 5, 6, 8'));
      await kling.release(how);
    } finally {
      await kling.dispose();
    }
  }

  it("a slow answer for an earlier model choice does not replace a later one's controls", async () => {
    await openPlayground();
    await klingThenVeo('answer');
    assert.equal(await page.getByLabel('Model').inputValue(), 'veo3.1-fast');
    assert.match((await page.locator('#duration-hint').textContent()) ?? '', /4, 5, 6, 8/);
    assert.deepEqual(await page.getByLabel('Resolution').locator('option').allTextContents(), ['(model default)', '720p', '1080p', '4k'], "veo's resolutions, not kling's");
  });

  it("an earlier model choice's failure shows no error beside a later choice's controls", async () => {
    await openPlayground();
    await klingThenVeo('fail');
    assert.equal(await page.locator('#error-general').isVisible(), false, (await page.locator('#error-general').textContent()) ?? '');
    assert.equal(await page.locator('[aria-invalid]').count(), 0);
    // The latest choice's own failure is still shown.
    const wan = await holdModelDetails('wan-2.6');
    try {
      await page.getByLabel('Model').selectOption('wan-2.6');
      await wan.requested;
      await wan.release('fail');
    } finally {
      await wan.dispose();
    }
    await page.locator('#error-general').waitFor({ state: 'visible', timeout: 5_000 });
  });

  it('choosing the same model again keeps the duration the user typed meanwhile', async () => {
    await openPlayground();
    await page.waitForFunction(() => (document.getElementById('duration-hint')?.textContent ?? '').includes('4, 5, 6, 8'));
    const veo = await holdModelDetails('veo3.1-fast');
    try {
      await page.getByLabel('Model').selectOption('veo3.1-fast');
      await veo.requested;
      await page.getByLabel('Duration (s)').fill('7');
      await veo.release();
    } finally {
      await veo.dispose();
    }
    assert.equal(await page.getByLabel('Duration (s)').inputValue(), '7');
  });

  it("a bad duration shows the server's message next to the Duration field", async () => {
    await openPlayground();
    await page.getByLabel('Model').selectOption('veo3.1-fast');
    await page.waitForFunction(() => (document.getElementById('duration-hint')?.textContent ?? '').includes('4, 5, 6, 8'));
    await page.getByLabel('Prompt').fill('A paper boat');
    await page.getByLabel('Duration (s)').fill('7');
    await page.getByRole('button', { name: 'Generate' }).click();
    const error = page.locator('#error-duration');
    await error.waitFor({ state: 'visible', timeout: 15_000 });
    const text = await error.textContent();
    // The server's own words, which name the allowed durations.
    const server = (await (await gw.api('/v1/videos/generations', { method: 'POST', json: { model: 'veo3.1-fast', operation: 'text-to-video', prompt: 'A paper boat', duration: 7 } })).json()) as {
      error: { message: string };
    };
    assert.equal(text, server.error.message);
    assert.match(text ?? '', /4, 5, 6, 8/);
    // It sits inside the Duration field's box, and the input is marked invalid.
    assert.equal(await page.locator('.field[data-param="duration"] #error-duration').count(), 1);
    assert.equal(await page.getByLabel('Duration (s)').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#error-general').isVisible(), false);
  });

  it('generates a video and plays it, with a download link, the curl command and the recent tasks', async () => {
    await openPlayground();
    await page.getByLabel('Model').selectOption('veo3.1-fast');
    await page.waitForFunction(() => (document.getElementById('duration-hint')?.textContent ?? '').includes('4, 5, 6, 8'));
    await page.getByLabel('Prompt').fill('A paper boat drifting down a rainy street');
    await page.getByLabel('Duration (s)').fill('4');
    await page.getByLabel('Aspect ratio').selectOption('16:9');
    const curl = await page.locator('#curl').textContent();
    assert.match(curl ?? '', /curl -s http:\/\/127\.0\.0\.1:\d+\/v1\/videos\/generations/);
    assert.match(curl ?? '', /"model":"veo3\.1-fast"/);
    assert.match(curl ?? '', /"duration":4/);
    assert.ok(!curl?.includes(gw.adminKey), 'the curl command never shows the key');

    const statuses = new Set<string>();
    const seen = setInterval(
      () =>
        void page
          .locator('#status')
          .getAttribute('data-status')
          .then(
            (s) => s && statuses.add(s),
            () => undefined,
          ),
      100,
    );
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.waitForSelector('#status[data-status="completed"]', { timeout: 120_000 });
    clearInterval(seen);
    assert.ok(statuses.has('pending') || statuses.has('processing'), [...statuses].join(','));

    const video = page.locator('#result-video');
    assert.equal(await video.isVisible(), true);
    await page.waitForFunction(() => (document.getElementById('result-video') as HTMLVideoElement).readyState >= 2, undefined, { timeout: 30_000 });
    const t0 = await video.evaluate((v: HTMLVideoElement) => v.play().then(() => v.currentTime));
    await page.waitForFunction((start) => (document.getElementById('result-video') as HTMLVideoElement).currentTime > start + 0.5, t0, { timeout: 30_000 });
    const facts = await video.evaluate((v: HTMLVideoElement) => ({ width: v.videoWidth, height: v.videoHeight, duration: v.duration, error: v.error?.code ?? null }));
    assert.deepEqual({ width: facts.width, height: facts.height, error: facts.error }, { width: 1280, height: 720, error: null });
    assert.ok(Math.abs(facts.duration - 4) < 0.2);

    const link = page.getByRole('link', { name: 'Download MP4' });
    const href = await link.getAttribute('href');
    assert.match(href ?? '', /\/v1\/files\/ldtask_[0-9a-f]{32}\/video\.mp4\?/);
    const download = await fetch(href!);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-type'), 'video/mp4');

    const id = /\/v1\/files\/(ldtask_[0-9a-f]{32})\//.exec(href!)![1];
    await page.waitForSelector(`#recent-tasks li[data-task-id="${id}"]`, { timeout: 15_000 });
    assert.match((await page.locator(`#recent-tasks li[data-task-id="${id}"]`).textContent()) ?? '', /completed/);
    assert.deepEqual(pageErrors, []);
  });

  it("a page on the gateway's own origin can call the API with a key; a third-party page cannot (no CORS headers, on purpose)", async () => {
    const other = await browser.context.newPage();
    try {
      const call = (p: Page) =>
        p.evaluate(
          async ([url, key]) => {
            try {
              const res = await fetch(`${url}/v1/tasks`, { headers: { authorization: `Bearer ${key}` } });
              return String(res.status);
            } catch (err) {
              return String(err);
            }
          },
          [gw.url, gw.adminKey],
        );
      await other.goto(`${gw.url}/`);
      assert.equal(await call(other), '200');
      // Another origin (served by the browser's router, never reaching the gateway): the preflight finds no CORS headers.
      await other.route('http://third-party.example/', (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>elsewhere</title>' }));
      await other.goto('http://third-party.example/');
      assert.match(await call(other), /TypeError/);
      const preflight = await fetch(`${gw.url}/v1/tasks`, {
        method: 'OPTIONS',
        headers: { origin: 'http://third-party.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
      assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    } finally {
      await other.close();
    }
  });

  it('the docs page renders every operation of /openapi.json from this gateway alone', async () => {
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(gw.url)) external.push(r.url());
    });
    await page.goto(`${gw.url}/docs`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    const doc = (await (await gw.api('/openapi.json', { key: null })).json()) as { paths: Record<string, Record<string, unknown>> };
    const headings = await page.locator('section.op h2').allTextContents();
    for (const [p, item] of Object.entries(doc.paths)) for (const m of Object.keys(item)) assert.ok(headings.includes(`${m.toUpperCase()}${p}`), `docs page shows ${m.toUpperCase()} ${p}`);
    assert.ok(headings.includes('Task') && headings.includes('VideoGenerationRequest'), 'schemas too');
    assert.deepEqual(external, []);
    assert.deepEqual(pageErrors, []);
  });
});
