import type { FastifyInstance } from 'fastify';
import { sendAsset } from '../static-files.js';
import { openApiDocument } from './openapi.js';

/** Vidgate's own API description and a browsable reference of it (self-contained: no CDN). */
export function registerDocsRoutes(app: FastifyInstance): void {
  app.get('/openapi.json', async (_req, reply) => {
    reply.header('cache-control', 'no-cache');
    return openApiDocument();
  });
  app.get('/docs', (_req, reply) => sendAsset(reply, 'docs', 'docs.html'));
  app.get('/docs/docs.js', (_req, reply) => sendAsset(reply, 'docs', 'docs.js'));
  app.get('/docs/docs.css', (_req, reply) => sendAsset(reply, 'docs', 'docs.css'));
}
