import { randomHex } from './ids.js';

/**
 * What a webhook receiver sees of an event's identity: its type and its id (the `webhook-id`
 * header, the same on every retry and redelivery). Part of the public contract, so the store can
 * queue an event in the same transaction that finishes its task.
 */
export type WebhookEventType = 'video.generation.completed' | 'video.generation.failed';

/** The header naming the event type; the body is the task itself, so the type travels beside it. */
export const EVENT_TYPE_HEADER = 'vidgate-event-type';

export function eventTypeFor(state: 'completed' | 'failed'): WebhookEventType {
  return state === 'completed' ? 'video.generation.completed' : 'video.generation.failed';
}

/** The message id that stays the same on every retry and redelivery of one event. */
export function newMessageId(): string {
  return `msg_${randomHex(16)}`;
}

export function isMessageId(value: string): boolean {
  return /^msg_[0-9a-f]{32}$/.test(value);
}
