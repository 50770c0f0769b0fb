/** Kling open API wire shapes (spec providers-2 §1). Only the fields the gateway writes or reads. */

/** The create families ("kinds"); a task can only be queried under the kind that created it (§1.3). */
export const KLING_KINDS = ['text2video', 'image2video', 'multi-image2video', 'motion-control', 'omni-video'] as const;
export type KlingKind = (typeof KLING_KINDS)[number];

export type KlingMode = 'std' | 'pro';
export type OnOff = 'on' | 'off';
export type YesNo = 'yes' | 'no';

/** Every reply, success or error: code 0 = success; HTTP is 200 for some errors too (§1.8, §1.9). */
export interface KlingEnvelope<T> {
  code: number;
  message?: string;
  request_id?: string;
  data?: T | null;
}

/** The common part of every video create body. */
interface CreateCommon {
  model_name: string;
  prompt?: string;
  mode?: KlingMode;
  external_task_id?: string;
}

/** POST /v1/videos/text2video (§1.5). */
export interface Text2VideoBody extends CreateCommon {
  negative_prompt?: string;
  cfg_scale?: number;
  sound?: OnOff;
  aspect_ratio?: '16:9' | '9:16' | '1:1';
  duration?: string;
}

/** POST /v1/videos/image2video (§1.6): image / image_tail are URLs or raw base64 (no data: prefix). */
export interface Image2VideoBody extends CreateCommon {
  image?: string;
  image_tail?: string;
  negative_prompt?: string;
  cfg_scale?: number;
  sound?: OnOff;
  duration?: string;
  element_list?: Array<{ element_id: string }>;
}

/** POST /v1/videos/motion-control (§1.7): no duration/aspect ratio, the reference video decides. */
export interface MotionControlBody extends CreateCommon {
  image_url: string;
  video_url: string;
  character_orientation: 'image' | 'video';
  mode: KlingMode;
  keep_original_sound?: YesNo;
}

export interface OmniImage {
  image_url: string;
  type?: 'first_frame' | 'end_frame';
}

export interface OmniVideo {
  video_url: string;
  refer_type: 'feature' | 'base';
  keep_original_sound: YesNo;
}

/** POST /v1/videos/omni-video (§1.7). */
export interface OmniVideoBody extends CreateCommon {
  prompt: string;
  image_list?: OmniImage[];
  video_list?: OmniVideo[];
  aspect_ratio?: '16:9' | '9:16' | '1:1';
  duration?: string;
  sound?: OnOff;
}

export type KlingCreateBody = Text2VideoBody | Image2VideoBody | MotionControlBody | OmniVideoBody;

/** POST /v1/general/custom-elements (§1.7 "Elements"). */
export interface CustomElementBody {
  element_name: string;
  element_description: string;
  element_frontal_image: string;
  element_refer_list: Array<{ image_url: string }>;
}

export type KlingTaskStatus = 'submitted' | 'processing' | 'succeed' | 'failed';

export interface KlingVideo {
  id?: string;
  url?: string;
  watermark_url?: string;
  duration?: string;
}

/** `data` of a create or query reply (§1.8). */
export interface KlingTaskData {
  task_id: string;
  task_status: KlingTaskStatus | string;
  task_status_msg?: string;
  task_info?: { external_task_id?: string };
  watermark_info?: { enabled?: boolean };
  final_unit_deduction?: string;
  created_at?: number;
  updated_at?: number;
  task_result?: { videos?: KlingVideo[] };
}
