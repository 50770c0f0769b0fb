/** Topaz Labs Video API wire shapes (spec providers-1 §5). */

export type Container = 'mp4' | 'mov' | 'mkv';

export interface Resolution {
  width: number;
  height: number;
}

/** POST /video/ */
export interface CreateVideoBody {
  source: {
    container: Container;
    size: number;
    duration: number;
    frameRate: number;
    frameCount: number;
    resolution: Resolution;
  };
  output: {
    container: Container;
    resolution: Resolution;
    frameRate: number;
    audioCodec: 'AAC' | 'AC3' | 'PCM';
    audioTransfer: 'Copy' | 'Convert' | 'None';
    dynamicCompressionLevel: 'Low' | 'Mid' | 'High';
  };
  filters: Array<{ model: string } & Record<string, unknown>>;
}

export interface Estimates {
  cost?: [number, number];
  time?: [number, number];
}

export interface CreateVideoResponse {
  requestId?: string;
  estimates?: Estimates;
}

/** PATCH /video/{id}/accept */
export interface AcceptResponse {
  uploadId?: string;
  urls?: string[];
}

/** PATCH /video/{id}/complete-upload/ */
export interface CompleteUploadBody {
  uploadResults: Array<{ partNum: number; eTag: string }>;
  md5Hash?: string;
}

export type VideoStatus = 'requested' | 'accepted' | 'initializing' | 'preprocessing' | 'processing' | 'postprocessing' | 'complete' | 'failed' | 'canceling' | 'canceled';

/** GET /video/{id}/status */
export interface StatusResponse {
  status?: VideoStatus | string;
  progress?: number;
  message?: string;
  errorCode?: string;
  estimates?: Estimates;
  outputSize?: number | string;
  download?: { url?: string; expiresIn?: number; expiresAt?: number | string };
}

/** OpenAPI error body; FastAPI-style `detail` is parsed too (Vercel's SDK does). */
export interface TopazErrorBody {
  message?: string;
  errorCode?: string;
  errors?: Array<{ type?: string; path?: string; location?: string; msg?: string }>;
  detail?: string | Array<{ msg?: string }>;
  error?: string;
}
