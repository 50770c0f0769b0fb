/** What both Veo protocols (Gemini API, Vertex AI) do around a create: load the inputs, and retry once without a refused personGeneration. */
import type { ResolvedVideoRequest } from '../../contract/video-request.js';
import type { AdapterContext } from '../types.js';
import { mediaInputsFor, refusesPersonGeneration, type GoogleMedia } from './mapping.js';
import type { WireParameters } from './wire.js';

/** The operation's images, fetched through the gateway's guarded loader. */
export async function loadVeoMedia(req: ResolvedVideoRequest, ctx: AdapterContext): Promise<GoogleMedia> {
  const inputs = mediaInputsFor(req);
  const media: GoogleMedia = {};
  if (inputs.image) media.image = await ctx.loadMedia(inputs.image, 'image');
  if (inputs.lastFrame) media.lastFrame = await ctx.loadMedia(inputs.lastFrame, 'image');
  if (inputs.references) media.references = await Promise.all(inputs.references.map((u) => ctx.loadMedia(u, 'image')));
  return media;
}

/** Sends the create; a 400 naming personGeneration created nothing, so it is sent once more without it. */
export async function createVeo<B extends { parameters: Pick<WireParameters, 'personGeneration'> }, T>(body: B, create: (body: B) => Promise<T>): Promise<T> {
  try {
    return await create(body);
  } catch (err) {
    if (!body.parameters.personGeneration || !refusesPersonGeneration(err)) throw err;
    const { personGeneration: _refused, ...parameters } = body.parameters;
    return create({ ...body, parameters });
  }
}
