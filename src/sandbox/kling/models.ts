/** The Kling models the simulator knows, with the per-model rules of spec providers-2 §1.4–§1.7. */
export type SimKind = 'text2video' | 'image2video' | 'motion-control' | 'omni-video';

export interface KlingSimModel {
  name: string;
  kinds: SimKind[];
  /** false: the model has a single quality (master); `mode` is ignored. */
  hasModes: boolean;
  /** Output short side in pro mode (std is always 720p). */
  proResolution: '720p' | '1080p';
  /** `sound`: never, pro mode only, or always accepted. */
  sound: 'none' | 'pro' | 'any';
  /** image_tail: never, pro mode only, or any mode. */
  tail: 'none' | 'pro' | 'any';
  cfgScale: boolean;
  /** element_list on image2video / motion-control. */
  elements: boolean;
  durations: number[];
}

const span = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => String(a + i)).map(Number);
const base = { hasModes: true, proResolution: '1080p' as const, sound: 'none' as const, tail: 'pro' as const, cfgScale: false, elements: false, durations: [5, 10] };

export const KLING_MODELS: KlingSimModel[] = [
  { ...base, name: 'kling-v1', kinds: ['text2video', 'image2video'], proResolution: '720p', tail: 'any', cfgScale: true },
  { ...base, name: 'kling-v1-5', kinds: ['image2video'], cfgScale: true },
  { ...base, name: 'kling-v1-6', kinds: ['text2video', 'image2video'], cfgScale: true },
  { ...base, name: 'kling-v2-master', kinds: ['text2video', 'image2video'], hasModes: false, proResolution: '720p', tail: 'none' },
  { ...base, name: 'kling-v2-1', kinds: ['image2video'] },
  { ...base, name: 'kling-v2-1-master', kinds: ['text2video', 'image2video'], hasModes: false, tail: 'none' },
  { ...base, name: 'kling-v2-5-turbo', kinds: ['text2video', 'image2video'] },
  { ...base, name: 'kling-v2-6', kinds: ['text2video', 'image2video', 'motion-control'], sound: 'pro' },
  { ...base, name: 'kling-v3', kinds: ['text2video', 'image2video', 'motion-control'], sound: 'any', tail: 'any', cfgScale: true, elements: true, durations: span(3, 15) },
  { ...base, name: 'kling-video-o1', kinds: ['omni-video'], tail: 'any', durations: span(3, 10) },
  { ...base, name: 'kling-v3-omni', kinds: ['omni-video'], sound: 'any', tail: 'any', durations: span(3, 15) },
];

/** Kling's default model_name when the field is omitted: kling-v1, or kling-video-o1 on omni-video. */
export function findModel(name: unknown, kind: SimKind): KlingSimModel | undefined {
  const wanted = name === undefined ? (kind === 'omni-video' ? 'kling-video-o1' : 'kling-v1') : name;
  return KLING_MODELS.find((m) => m.name === wanted);
}
