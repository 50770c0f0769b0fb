// Renders /openapi.json as a browsable reference: operations by tag, their parameters, bodies and
// answers, and every schema (references link to it). No framework and nothing from the network
// but this gateway.

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children.flat()) if (c !== undefined && c !== null) node.append(c instanceof Node ? c : String(c));
  return node;
};

const refName = (ref) => ref.split('/').pop();
const anchor = (method, path) => `op-${method}-${path.replace(/[^a-zA-Z0-9]+/g, '-')}`;

function typeLabel(schema) {
  if (!schema) return 'any';
  if (schema.$ref) return el('a', { href: `#schema-${refName(schema.$ref)}` }, refName(schema.$ref));
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  for (const k of ['oneOf', 'anyOf', 'allOf']) {
    if (schema[k]) {
      const parts = schema[k].map(typeLabel);
      const span = el('span');
      for (const [i, p] of parts.entries()) span.append(i ? (k === 'allOf' ? ' & ' : ' | ') : '', p);
      return span;
    }
  }
  const t = Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'object');
  if (t === 'array') {
    const span = el('span', {}, 'array of ');
    span.append(typeLabel(schema.items));
    return span;
  }
  return schema.format ? `${t} (${schema.format})` : t;
}

/** A schema as a nested property list (objects expand; references link to their definition). */
function renderSchema(schema, depth = 0) {
  const box = el('div');
  box.append(el('span', { class: 'type' }, typeLabel(schema)));
  if (schema?.description) box.append(' ', el('span', { class: 'desc' }, schema.description));
  const props = schema?.properties;
  if (props && depth < 4) {
    const required = new Set(schema.required ?? []);
    const list = el('ul', { class: 'props' });
    for (const [name, sub] of Object.entries(props)) {
      const item = el('li', {}, el('code', {}, name), required.has(name) ? el('span', { class: 'req' }, ' required') : '', ': ');
      const nested = sub.properties || sub.items?.properties;
      if (nested) item.append(el('details', {}, el('summary', {}, typeLabel(sub)), renderSchema(sub.items?.properties ? sub.items : sub, depth + 1)));
      else {
        item.append(el('span', { class: 'type' }, typeLabel(sub)));
        if (sub.description) item.append(' ', el('span', { class: 'desc' }, sub.description));
      }
      list.append(item);
    }
    box.append(list);
  }
  for (const k of ['allOf', 'oneOf']) if (schema?.[k] && depth < 4) for (const part of schema[k]) if (!part.$ref) box.append(renderSchema(part, depth + 1));
  return box;
}

function renderOperation(path, method, op) {
  const M = method.toUpperCase();
  const section = el('section', { class: 'op', id: anchor(method, path) }, el('h2', {}, el('span', { class: `method ${M}` }, M), path), el('p', { class: 'summary' }, op.summary ?? ''));
  if (op.description) section.append(el('p', { class: 'desc' }, op.description));
  section.append(el('p', { class: 'auth' }, op.security ? 'Auth: Authorization: Bearer sk-…' : 'No API key needed.'));
  if (op.parameters?.length) {
    const table = el('table', {}, el('tr', {}, el('th', {}, 'Parameter'), el('th', {}, 'In'), el('th', {}, 'Type'), el('th', {}, 'Description')));
    for (const p of op.parameters)
      table.append(
        el(
          'tr',
          {},
          el('td', {}, el('code', {}, p.name), p.required ? el('span', { class: 'req' }, ' required') : ''),
          el('td', {}, p.in),
          el('td', { class: 'type' }, typeLabel(p.schema)),
          el('td', { class: 'desc' }, p.description ?? ''),
        ),
      );
    section.append(table);
  }
  if (op.requestBody) {
    for (const [type, media] of Object.entries(op.requestBody.content ?? {})) section.append(el('h4', {}, `Request body (${type})`), renderSchema(media.schema));
  }
  const answers = el('table', {}, el('tr', {}, el('th', {}, 'Status'), el('th', {}, 'Answer')));
  for (const [status, res] of Object.entries(op.responses ?? {})) {
    const cell = el('td', {}, el('span', { class: 'desc' }, res.description ?? ''));
    for (const [type, media] of Object.entries(res.content ?? {})) cell.append(el('div', {}, el('code', {}, type), ' ', media.schema ? el('span', { class: 'type' }, typeLabel(media.schema)) : ''));
    answers.append(el('tr', {}, el('td', {}, el('code', {}, status)), cell));
  }
  section.append(el('h4', {}, 'Answers'), answers);
  return section;
}

async function main() {
  const doc = await (await fetch('/openapi.json')).json();
  document.getElementById('intro').textContent = doc.info.description;
  const toc = document.getElementById('toc');
  const main = document.getElementById('operations');
  const byTag = new Map((doc.tags ?? []).map((t) => [t.name, []]));
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = op.tags?.[0] ?? 'Other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push([path, method, op]);
    }
  }
  for (const [tag, ops] of byTag) {
    if (!ops.length) continue;
    toc.append(el('h3', {}, tag));
    main.append(el('h2', { id: `tag-${tag}` }, tag));
    for (const [path, method, op] of ops) {
      toc.append(el('a', { href: `#${anchor(method, path)}` }, `${method.toUpperCase()} ${path}`));
      main.append(renderOperation(path, method, op));
    }
  }
  const schemas = el('section', { id: 'schemas' }, el('h2', {}, 'Schemas'));
  toc.append(el('h3', {}, 'Schemas'));
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    toc.append(el('a', { href: `#schema-${name}` }, name));
    schemas.append(el('section', { class: 'op', id: `schema-${name}` }, el('h2', {}, name), renderSchema(schema)));
  }
  main.append(schemas);
  document.body.dataset.ready = 'true';
}

main().catch((err) => {
  document.getElementById('intro').textContent = `Could not load /openapi.json: ${err.message}`;
});
