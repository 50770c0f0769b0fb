/** BytePlus ModelArk / Volcengine Ark video-generation wire shapes (spec providers-1 §4). */

export type ImageRole = 'first_frame' | 'last_frame' | 'reference_image';

export type ContentItem =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string }; role?: ImageRole }
  | { type: 'video_url'; video_url: { url: string }; role: 'reference_video' }
  | { type: 'audio_url'; audio_url: { url: string }; role: 'reference_audio' }
  | { type: 'draft_task'; draft_task: { id: string } };

export type ArkRatio = '21:9' | '16:9' | '4:3' | '1:1' | '3:4' | '9:16' | 'adaptive';

/** POST /api/v3/contents/generations/tasks */
export interface CreateTaskBody {
  model: string;
  content: ContentItem[];
  ratio?: ArkRatio;
  duration?: number;
  resolution?: string;
  seed?: number;
  watermark?: boolean;
  generate_audio?: boolean;
  camera_fixed?: boolean;
  return_last_frame?: boolean;
  draft?: boolean;
  service_tier?: 'default' | 'flex';
  execution_expires_after?: number;
  priority?: number;
  safety_identifier?: string;
  callback_url?: string;
}

export type TaskStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'expired';

/** GET /api/v3/contents/generations/tasks/{id} */
export interface TaskObject {
  id?: string;
  model?: string;
  status?: TaskStatus | string;
  content?: { video_url?: string | null; last_frame_url?: string | null } | null;
  error?: { code?: string; message?: string } | null;
  /** Older SDKs: a plain string instead of `error`. */
  failure_reason?: string | null;
  seed?: number;
  resolution?: string;
  ratio?: string;
  duration?: number;
  framespersecond?: number;
  generate_audio?: boolean;
  usage?: { completion_tokens?: number; total_tokens?: number };
  created_at?: number;
  updated_at?: number;
}

/** Ark's OpenAI-like error envelope. */
export interface ArkErrorBody {
  error?: { code?: string; message?: string; param?: string; type?: string };
}
