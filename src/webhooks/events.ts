export { EVENT_TYPE_HEADER, eventTypeFor, type WebhookEventType } from '../contract/webhook-events.js';
