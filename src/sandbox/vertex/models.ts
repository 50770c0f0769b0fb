/**
 * The Veo models Vertex AI serves now, by their Vertex ids. The `-preview` endpoints were removed on
 * 2026-04-02 and Veo 2.0/3.0 retired on 2026-06-30 (Vertex model-versions page, spec/prices.md):
 * asking for one is a 404 naming the publisher model, as Vertex answers.
 */
import { VEO_MODELS, type VeoModel } from '../google/models.js';

function from(geminiId: string, vertexId: string): VeoModel {
  const m = VEO_MODELS.find((v) => v.id === geminiId)!;
  // Vertex returns up to 4 videos per request.
  return { ...m, id: vertexId, maxSamples: 4 };
}

export const VERTEX_VEO_MODELS: readonly VeoModel[] = [
  from('veo-3.1-generate-preview', 'veo-3.1-generate-001'),
  from('veo-3.1-fast-generate-preview', 'veo-3.1-fast-generate-001'),
  from('veo-3.1-lite-generate-preview', 'veo-3.1-lite-generate-001'),
];

export function findVertexModel(id: string): VeoModel | undefined {
  return VERTEX_VEO_MODELS.find((m) => m.id === id);
}
