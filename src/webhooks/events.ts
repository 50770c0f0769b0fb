/** Event types we send: one per task, when it reaches a terminal state. */
export type WebhookEventType = 'video.generation.completed' | 'video.generation.failed';

/** The header naming the event type; the body is the task itself, so the type travels beside it. */
export const EVENT_TYPE_HEADER = 'vidgate-event-type';

export function eventTypeFor(state: 'completed' | 'failed'): WebhookEventType {
  return state === 'completed' ? 'video.generation.completed' : 'video.generation.failed';
}
