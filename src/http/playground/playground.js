// The Vidgate playground: pick a model, describe a video, watch the task run, play the result.
// Everything it does is an ordinary API call to this gateway (shown as curl below the result).

const $ = (id) => document.getElementById(id);
const KEY_STORAGE = 'vidgate.apiKey';

/** Request fields → the control that sets them (where a server error naming them is shown). */
const FIELD_ERRORS = ['api_key', 'model', 'operation', 'prompt', 'duration', 'aspect_ratio', 'resolution', 'output_audio', 'image_url', 'start_image', 'end_image', 'reference_images', 'video_url'];
/** Parameters the server may name for an input that the playground sends under another field. */
const ERROR_ALIASES = { image: 'image_url', image_urls: 'image_url', seconds: 'duration', ratio: 'aspect_ratio', generate_audio: 'output_audio' };
const FILE_FIELDS = { image_url: 'image', start_image: 'start-image', end_image: 'end-image', reference_images: 'reference-images', video_url: 'video' };

let detail = null; // the selected model's GET /v1/models/{id}
let runToken = 0;

const apiKey = () => $('api-key').value.trim();

async function api(path, init = {}) {
  const headers = { ...(init.headers ?? {}) };
  if (apiKey()) headers.authorization = `Bearer ${apiKey()}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method: init.method ?? 'GET', headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const error = body.error ?? { message: `HTTP ${res.status}` };
    throw Object.assign(new Error(error.message), { status: res.status, param: error.param, code: error.code });
  }
  return body;
}

// ---- errors next to their field --------------------------------------------------------------

function clearErrors() {
  for (const name of [...FIELD_ERRORS, 'general']) {
    const p = $(`error-${name}`);
    p.hidden = true;
    p.textContent = '';
  }
  for (const el of document.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

function showError(err) {
  const base = String(err.param ?? '').split(/[.[]/)[0];
  let name = ERROR_ALIASES[base] ?? base;
  if (err.status === 401) name = 'api_key';
  const target = FIELD_ERRORS.includes(name) && !$(`error-${name}`).parentElement.closest('[hidden]') ? name : 'general';
  const p = $(`error-${target}`);
  p.textContent = err.message;
  p.hidden = false;
  const control = p.parentElement.querySelector('input, select, textarea');
  if (target !== 'general' && control) control.setAttribute('aria-invalid', 'true');
}

// ---- the model drives the other controls --------------------------------------------------------

function fillSelect(select, values, { placeholder, keep } = {}) {
  const previous = keep ? select.value : '';
  select.replaceChildren();
  if (placeholder !== undefined) select.append(new Option(placeholder, ''));
  for (const v of values) select.append(new Option(v, v));
  if (values.includes(previous)) select.value = previous;
}

function constraint() {
  const summary = detail?.tokenlab?.request_format_summary;
  return summary?.operation_constraints?.find((c) => c.operation === $('operation').value) ?? null;
}

function applyOperation() {
  const c = constraint();
  const supported = new Set(c?.supported_parameters ?? []);
  for (const field of document.querySelectorAll('.field[data-param]')) {
    const param = field.dataset.param;
    field.hidden = !(
      supported.has(param) ||
      (param === 'image_url' && (supported.has('image') || supported.has('image_urls'))) ||
      (param === 'reference_images' && supported.has('image_urls') && c?.operation === 'reference-to-video')
    );
  }
  const durations = c?.allowed_durations ?? [];
  $('durations').replaceChildren(...durations.map((d) => new Option(d, d)));
  $('duration-hint').textContent = durations.length ? `Allowed: ${durations.join(', ')}` : 'Follows the source video.';
  if (durations.length && !$('duration').value) $('duration').value = durations.includes('5') ? '5' : (durations.find((d) => Number(d) > 0) ?? durations[0]);
  if (!durations.length) $('duration').value = '';
  fillSelect($('aspect-ratio'), c?.allowed_aspect_ratios ?? [], { placeholder: '(model default)', keep: true });
  fillSelect($('resolution'), c?.allowed_resolutions ?? [], { placeholder: '(model default)', keep: true });
  const flags = detail?.tokenlab?.request_format_summary?.feature_flags ?? {};
  $('audio').checked = Boolean(flags.output_audio_default);
  $('audio').closest('.field').hidden = !flags.output_audio_configurable;
  renderCurl();
}

/** Counts model choices: only the latest one's details are applied. */
let modelChoice = 0;

async function selectModel() {
  const id = $('model').value;
  if (!id) return;
  const choice = ++modelChoice;
  // A slow answer for an earlier choice must not replace a later one's controls, nor its failure
  // show an error next to them.
  const fetched = await api(`/v1/models/${encodeURIComponent(id)}`).catch((err) => {
    if (choice === modelChoice) throw err;
  });
  if (choice !== modelChoice) return;
  // A new model's durations differ; the same model chosen again keeps what the user typed.
  const sameModel = detail?.id === fetched.id;
  detail = fetched;
  const summary = detail.tokenlab.request_format_summary;
  fillSelect($('operation'), summary.public_operations, { keep: true });
  $('model-hint').textContent = detail.tokenlab.pricing_summary?.description ?? '';
  if (!sameModel) $('duration').value = '';
  applyOperation();
}

async function loadModels() {
  const list = await api('/v1/models?view=compact');
  const models = list.data.filter((m) => m.category === 'video');
  fillSelect(
    $('model'),
    models.map((m) => m.id),
  );
  $('model').value = models.some((m) => m.id === 'veo3.1-fast') ? 'veo3.1-fast' : (models[0]?.id ?? '');
  await selectModel();
}

// ---- the request ----------------------------------------------------------------------------------

function readFile(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** The create body from the visible controls; files become data: URLs when `withFiles`. */
async function buildRequest(withFiles) {
  const body = { model: $('model').value, operation: $('operation').value };
  const prompt = $('prompt').value.trim();
  if (prompt) body.prompt = prompt;
  const visible = (id) => !$(id).closest('.field').hidden;
  if (visible('duration') && $('duration').value !== '') body.duration = Number($('duration').value);
  if (visible('aspect-ratio') && $('aspect-ratio').value) body.aspect_ratio = $('aspect-ratio').value;
  if (visible('resolution') && $('resolution').value) body.resolution = $('resolution').value;
  if (visible('audio')) body.output_audio = $('audio').checked;
  for (const [param, id] of Object.entries(FILE_FIELDS)) {
    const files = visible(id) ? [...$(id).files] : [];
    if (!files.length) continue;
    const values = withFiles ? await Promise.all(files.map(readFile)) : files.map((f) => `data:${f.type || 'application/octet-stream'};base64,… (${f.name})`);
    body[param] = param === 'reference_images' ? values : values[0];
  }
  return body;
}

async function renderCurl() {
  if (!detail) return;
  const body = await buildRequest(false);
  const quoted = JSON.stringify(body).replace(/'/g, "'\\''");
  $('curl').textContent = `curl -s ${location.origin}/v1/videos/generations \\\n  -H "Authorization: Bearer $VIDGATE_KEY" -H "Content-Type: application/json" \\\n  -d '${quoted}'`;
}

// ---- running a task ---------------------------------------------------------------------------------

function showTask(task) {
  const status = $('status');
  const pct = task.progress !== undefined ? ` ${task.progress}%` : '';
  status.dataset.status = task.status;
  status.className = `status-${task.status}`;
  status.textContent = `${task.id}: ${task.status}${pct}${task.status === 'failed' && task.error ? ` — ${task.error.message}` : ''}`;
  const bar = $('progress');
  bar.hidden = task.status === 'completed' || task.status === 'failed';
  if (task.progress !== undefined) bar.value = task.progress;
  else bar.removeAttribute('value');
  const video = $('result-video');
  const link = $('download');
  if (task.status === 'completed' && task.video_url) {
    if (video.src !== task.video_url) video.src = task.video_url;
    video.hidden = false;
    link.href = task.video_url;
    link.download = `${task.id}.mp4`;
    link.hidden = false;
  } else {
    video.hidden = true;
    video.removeAttribute('src');
    link.hidden = true;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Follows a task until it ends (long poll where the server holds the request, else every second). */
async function follow(id) {
  const token = ++runToken;
  let last = '';
  for (;;) {
    const started = Date.now();
    const task = await api(`/v1/tasks/${id}?wait=30`);
    if (token !== runToken) return;
    showTask(task);
    if (task.status === 'completed' || task.status === 'failed') return task;
    const now = `${task.status}:${task.progress ?? ''}`;
    if (now === last || Date.now() - started < 500) await sleep(1000);
    last = now;
  }
}

async function generate(event) {
  event.preventDefault();
  clearErrors();
  if (!apiKey()) return showError({ param: 'api_key', message: 'Enter your API key (sk-…) first.' });
  const button = $('generate');
  button.disabled = true;
  try {
    const created = await api('/v1/videos/generations', { method: 'POST', json: await buildRequest(true), headers: { 'idempotency-key': crypto.randomUUID() } });
    showTask({ ...created, progress: undefined });
    loadRecent();
    await follow(created.id);
    loadRecent();
  } catch (err) {
    showError(err);
  } finally {
    button.disabled = false;
  }
}

// ---- recent tasks --------------------------------------------------------------------------------------

async function loadRecent() {
  const list = $('recent-tasks');
  if (!apiKey()) return;
  try {
    const page = await api('/v1/tasks?limit=10');
    if (!page.data.length) return list.replaceChildren(Object.assign(document.createElement('li'), { className: 'hint', textContent: 'No tasks yet.' }));
    list.replaceChildren(
      ...page.data.map((t) => {
        const li = document.createElement('li');
        li.dataset.taskId = t.id;
        const when = new Date(t.created * 1000).toLocaleString();
        const open = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Show' });
        open.addEventListener('click', () => (t.status === 'completed' || t.status === 'failed' ? showTask(t) : follow(t.id)));
        li.append(Object.assign(document.createElement('code'), { textContent: t.id }), Object.assign(document.createElement('span'), { className: `status-${t.status}`, textContent: t.status }), t.model, when, open);
        return li;
      }),
    );
  } catch (err) {
    list.replaceChildren(Object.assign(document.createElement('li'), { className: 'hint', textContent: `Could not list tasks: ${err.message}` }));
  }
}

// ---- wiring ---------------------------------------------------------------------------------------------------

function init() {
  $('api-key').value = localStorage.getItem(KEY_STORAGE) ?? '';
  $('api-key').addEventListener('change', () => {
    localStorage.setItem(KEY_STORAGE, apiKey());
    loadRecent();
  });
  $('model').addEventListener('change', () => selectModel().catch(showError));
  $('operation').addEventListener('change', applyOperation);
  $('generate-form').addEventListener('input', renderCurl);
  $('generate-form').addEventListener('change', renderCurl);
  $('generate-form').addEventListener('submit', generate);
  loadModels()
    .then(() => (document.body.dataset.ready = 'true'))
    .catch(showError);
  loadRecent();
}

init();
