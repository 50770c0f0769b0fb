/** Gemini API (mldev) wire shapes for Veo, as js-genai writes and reads them (spec providers-1 §2). */

/** SDK wire image form (js-genai `imageToMldev`). */
export interface WireImage {
  bytesBase64Encoded: string;
  mimeType: string;
}

export interface WireInstance {
  prompt?: string;
  image?: WireImage;
  lastFrame?: WireImage;
  referenceImages?: Array<{ image: WireImage; referenceType: 'asset' }>;
}

export interface WireParameters {
  aspectRatio?: '16:9' | '9:16';
  durationSeconds: number;
  resolution?: '720p' | '1080p' | '4k';
  negativePrompt?: string;
  personGeneration?: 'allow_all' | 'allow_adult';
  sampleCount: 1;
}

export interface PredictRequest {
  instances: [WireInstance];
  parameters: WireParameters;
}

/** google.rpc.Status */
export interface RpcStatus {
  code?: number;
  message?: string;
  status?: string;
  details?: Array<Record<string, unknown>>;
}

export interface WireVideo {
  uri?: string;
  encodedVideo?: string;
  encoding?: string;
}

/** google.longrunning.Operation as returned by predictLongRunning and GET {name}. */
export interface Operation {
  name?: string;
  done?: boolean;
  metadata?: unknown;
  error?: RpcStatus;
  response?: {
    generateVideoResponse?: {
      generatedSamples?: Array<{ video?: WireVideo }>;
      raiMediaFilteredCount?: number;
      raiMediaFilteredReasons?: string[];
    };
  };
}
