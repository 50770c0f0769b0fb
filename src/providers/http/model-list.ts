import { z } from 'zod';

/** The OpenAI-style `GET /v1/models` list (OpenAI, xAI): `{object:"list", data:[{id, …}]}`. */
export const openAiModelListSchema = z.looseObject({ data: z.array(z.looseObject({ id: z.string() })) });
