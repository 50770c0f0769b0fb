/** The OpenAI-style `GET /v1/models` answer (OpenAI, xAI): the models this upstream serves now. */
export function openAiModelList(ids: readonly string[], ownedBy: string, created = 1759708800) {
  return { object: 'list', data: ids.map((id) => ({ id, object: 'model', created, owned_by: ownedBy })) };
}
