/** Alibaba Model Studio (DashScope) Wan video wire shapes, ≤ wan2.6 `size`/`resolution` style (spec providers-2 §3). */

export interface WanInput {
  prompt?: string;
  negative_prompt?: string;
  /** Image-to-video first frame: public URL or data:{mime};base64,… */
  img_url?: string;
  /** kf2v (image2video endpoint) frames. */
  first_frame_url?: string;
  last_frame_url?: string;
  /** wan2.5/2.6 T2V and I2V: a wav/mp3 soundtrack to follow. */
  audio_url?: string;
  /** R2V references (images and videos), named character1.. in the prompt (the @ai-sdk/alibaba field). */
  reference_urls?: string[];
}

export interface WanParameters {
  /** T2V and R2V: "W*H" with an asterisk. */
  size?: string;
  /** I2V and kf2v: "480P" | "720P" | "1080P". */
  resolution?: '480P' | '720P' | '1080P';
  duration?: number;
  prompt_extend?: boolean;
  shot_type?: 'single' | 'multi';
  /** wan2.6: false gives a silent (cheaper) video. */
  audio?: boolean;
  watermark?: boolean;
  seed?: number;
}

export interface CreateTaskRequest {
  model: string;
  input: WanInput;
  parameters: WanParameters;
}

/** `SUSPENDED` is in the official SDK's TaskStatus (not in the API pages); its `wait` keeps polling it. */
export type TaskStatus = 'PENDING' | 'SUSPENDED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELED' | 'UNKNOWN';

export interface CreateTaskResponse {
  request_id?: string;
  output?: { task_id?: string; task_status?: TaskStatus | string };
}

/** GET /tasks/{task_id}. `usage` keys differ between models: read loosely. */
export interface TaskResponse {
  request_id?: string;
  output?: {
    task_id?: string;
    task_status?: TaskStatus | string;
    submit_time?: string;
    scheduled_time?: string;
    end_time?: string;
    orig_prompt?: string;
    actual_prompt?: string;
    video_url?: string;
    code?: string;
    message?: string;
  };
  usage?: Record<string, unknown>;
}

/** Synchronous error envelope, with an HTTP 4xx/5xx status. */
export interface DashScopeErrorBody {
  request_id?: string;
  code?: string;
  message?: string;
}
