/** Vidu enterprise API v2 wire shapes (spec providers-2 §4). */

/** The four create endpoints, one per capability (§4.2). */
export type ViduEndpoint = 'text2video' | 'img2video' | 'reference2video' | 'start-end2video';

/** One subject of reference2video's audio-video mode, referred to as @id in the prompt. */
export interface ViduSubject {
  id: string;
  images: string[];
  voice_id?: string;
}

/** Create body (§4.4). Fields a given endpoint does not take are left out. */
export interface ViduCreateBody {
  model: string;
  prompt?: string;
  images?: string[];
  subjects?: ViduSubject[];
  duration?: number;
  seed?: number;
  aspect_ratio?: string;
  resolution?: string;
  movement_amplitude?: 'auto' | 'small' | 'medium' | 'large';
  style?: 'general' | 'anime';
  bgm?: boolean;
  audio?: boolean;
  voice_id?: string;
  is_rec?: boolean;
  off_peak?: boolean;
  watermark?: boolean;
  wm_position?: number;
  wm_url?: string;
  meta_data?: string;
  payload?: string;
  callback_url?: string;
}

export type ViduState = 'created' | 'queueing' | 'processing' | 'success' | 'failed';

/** Create response: the request echoed with task_id, state and credits (§4.5). */
export interface ViduCreateResponse {
  task_id?: string;
  state?: ViduState | string;
  model?: string;
  credits?: number;
  created_at?: string;
  [echoed: string]: unknown;
}

export interface ViduCreation {
  id?: string;
  url?: string;
  cover_url?: string;
  watermarked_url?: string;
  video?: { duration?: number; fps?: number; resolution?: { width?: number; height?: number } };
}

/** GET /tasks/{id}/creations (§4.6). */
export interface ViduTaskResponse {
  id?: string;
  state?: ViduState | string;
  err_code?: string;
  credits?: number;
  payload?: string;
  bgm?: boolean;
  off_peak?: boolean;
  creations?: ViduCreation[] | null;
}

/** Error body: `reason` (fallback `code`, which may also be the numeric HTTP status), message, metadata (§4.7). */
export interface ViduErrorBody {
  code?: string | number;
  reason?: string;
  message?: string;
  metadata?: Record<string, unknown>;
}
