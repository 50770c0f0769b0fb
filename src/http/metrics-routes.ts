import type { FastifyInstance } from 'fastify';
import type { Gateway } from './gateway.js';

/**
 * GET /metrics (admin key, Prometheus text) and the HTTP timing of every request, by route
 * pattern (never the raw URL, so ids do not explode the label set).
 */
export function registerMetricsRoutes(app: FastifyInstance, gw: Gateway): void {
  app.addHook('onResponse', (req, reply, done) => {
    gw.metrics.httpRequest(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  // Scraped through a database outage too: the admin key may be the one last confirmed (auth.ts).
  app.get('/metrics', { config: { auth: 'admin', authStaleIfError: true } }, async (_req, reply) => {
    const { contentType, body } = await gw.metrics.render();
    reply.header('content-type', contentType).header('cache-control', 'no-store');
    return body;
  });
}
