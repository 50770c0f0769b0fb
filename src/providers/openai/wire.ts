/** OpenAI Videos API (Sora) wire shapes, as openai-node `resources/videos.ts` writes and reads them (spec providers-1 §1). */

export type SoraStatus = 'queued' | 'in_progress' | 'completed' | 'failed';

/** `VideoCreateError`: why a job failed. The list of codes is not published (§1.4). */
export interface SoraVideoError {
  code?: string;
  message?: string;
}

/** The `Video` object returned by create and retrieve (§1.4). */
export interface SoraVideo {
  id: string;
  object?: 'video';
  model?: string;
  status: SoraStatus;
  progress?: number;
  created_at?: number;
  completed_at?: number | null;
  expires_at?: number | null;
  prompt?: string | null;
  seconds?: string;
  size?: string;
  remixed_from_video_id?: string | null;
  error?: SoraVideoError | null;
}

/** The text fields of `POST /videos` (multipart form fields, all strings). */
export interface SoraCreateFields {
  model: string;
  prompt: string;
  seconds: string;
  size: string;
}

/** OpenAI's error envelope (§1.9). */
export interface OpenAIErrorBody {
  error?: {
    message?: string;
    type?: string;
    param?: string | null;
    code?: string | null;
  };
}
