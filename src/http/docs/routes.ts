import type { FastifyInstance } from 'fastify';
import { sendAsset } from '../static-files.js';
import { openApiDocument } from './openapi.js';

/** Vidgate's own API description and a browsable reference of it (self-contained: no CDN). */
const PUBLIC = { config: { auth: 'none' as const } };

export function registerDocsRoutes(app: FastifyInstance): void {
  app.get('/openapi.json', PUBLIC, async (_req, reply) => {
    reply.header('cache-control', 'no-cache');
    return openApiDocument();
  });
  app.get('/docs', PUBLIC, (_req, reply) => sendAsset(reply, 'docs', 'docs.html'));
  app.get('/docs/docs.js', PUBLIC, (_req, reply) => sendAsset(reply, 'docs', 'docs.js'));
  app.get('/docs/docs.css', PUBLIC, (_req, reply) => sendAsset(reply, 'docs', 'docs.css'));
}
