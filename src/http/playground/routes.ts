import type { FastifyInstance } from 'fastify';
import { sendAsset } from '../static-files.js';

/** The web playground at `/`: plain HTML, CSS and JS that call this gateway's public API. */
const PUBLIC = { config: { auth: 'none' as const } };

export function registerPlaygroundRoutes(app: FastifyInstance): void {
  app.get('/', PUBLIC, (_req, reply) => sendAsset(reply, 'playground', 'index.html'));
  app.get('/playground/playground.js', PUBLIC, (_req, reply) => sendAsset(reply, 'playground', 'playground.js'));
  app.get('/playground/playground.css', PUBLIC, (_req, reply) => sendAsset(reply, 'playground', 'playground.css'));
}
