/**
 * What each MiniMax v1 video model accepts (spec providers-2 §2.2; MiniMax's t2v/i2v/fl2v API
 * reference pages: model enums per mode, and the resolution/duration tables per model).
 */
export interface HailuoModel {
  id: string;
  textToVideo: boolean;
  /** Accepts first_frame_image (every model but the T2V-01 series). */
  imageToVideo: boolean;
  /** First+last frame (last_frame_image): Hailuo-02 only. */
  lastFrame: boolean;
  resolutions: readonly Tier[];
  defaultResolution: Tier;
  /** 10 s exists only on the Hailuo models (at 768P, or 512P for Hailuo-02). */
  tenSeconds: boolean;
  /** Relative length of a simulated job (Fast finishes sooner). */
  timeFactor: number;
}

export type Tier = '512P' | '720P' | '768P' | '1080P';
export const SHORT_SIDE: Record<Tier, number> = { '512P': 512, '720P': 720, '768P': 768, '1080P': 1080 };

const HAILUO = { imageToVideo: true, defaultResolution: '768P', tenSeconds: true, timeFactor: 1 } as const;
/** "Other models": 720P (default) at 6 s, 10 s not supported. */
const SERIES_01 = { lastFrame: false, resolutions: ['720P'], defaultResolution: '720P', tenSeconds: false, timeFactor: 1 } as const;

export const HAILUO_MODELS: readonly HailuoModel[] = [
  { ...HAILUO, id: 'MiniMax-Hailuo-2.3', textToVideo: true, lastFrame: false, resolutions: ['768P', '1080P'] },
  { ...HAILUO, id: 'MiniMax-Hailuo-2.3-Fast', textToVideo: false, lastFrame: false, resolutions: ['768P', '1080P'], timeFactor: 0.5 },
  { ...HAILUO, id: 'MiniMax-Hailuo-02', textToVideo: true, lastFrame: true, resolutions: ['512P', '768P', '1080P'] },
  { ...SERIES_01, id: 'T2V-01-Director', textToVideo: true, imageToVideo: false },
  { ...SERIES_01, id: 'T2V-01', textToVideo: true, imageToVideo: false },
  { ...SERIES_01, id: 'I2V-01-Director', textToVideo: false, imageToVideo: true },
  { ...SERIES_01, id: 'I2V-01-live', textToVideo: false, imageToVideo: true },
  { ...SERIES_01, id: 'I2V-01', textToVideo: false, imageToVideo: true },
];

export function findModel(id: string): HailuoModel | undefined {
  return HAILUO_MODELS.find((m) => m.id === id);
}
