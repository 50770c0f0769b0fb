/** MiniMax Hailuo video v1 wire shapes (spec providers-2 §2). */

/** Every MiniMax answer carries this; `status_code` 0 means success, whatever the HTTP status. */
export interface BaseResp {
  status_code: number;
  status_msg?: string;
}

/** POST /v1/video_generation body. */
export interface CreateVideoRequest {
  model: string;
  prompt?: string;
  first_frame_image?: string;
  last_frame_image?: string;
  duration?: number;
  resolution?: '512P' | '720P' | '768P' | '1080P';
  prompt_optimizer?: boolean;
  fast_pretreatment?: boolean;
  aigc_watermark?: boolean;
}

export interface CreateVideoResponse {
  task_id?: string;
  base_resp?: BaseResp;
}

export type VideoStatus = 'Preparing' | 'Queueing' | 'Processing' | 'Success' | 'Fail';

/** GET /v1/query/video_generation?task_id= */
export interface QueryVideoResponse {
  task_id?: string;
  status?: VideoStatus | string;
  /** Numeric string, present only on Success. */
  file_id?: string;
  video_width?: number;
  video_height?: number;
  error_message?: string;
  base_resp?: BaseResp;
}

/** GET /v1/files/retrieve?file_id= */
export interface RetrieveFileResponse {
  file?: {
    /** A number here (a string in the query response): compare ids as strings. */
    file_id?: number | string;
    bytes?: number;
    created_at?: number;
    filename?: string;
    purpose?: string;
    download_url?: string;
  };
  base_resp?: BaseResp;
}
