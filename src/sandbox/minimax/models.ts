/** What each MiniMax v1 video model accepts (spec providers-2 §2.2). */
export interface HailuoModel {
  id: string;
  textToVideo: boolean;
  /** First+last frame (last_frame_image): Hailuo-02 only. */
  lastFrame: boolean;
  resolutions: readonly Tier[];
  /** Relative length of a simulated job (Fast finishes sooner). */
  timeFactor: number;
}

export type Tier = '512P' | '768P' | '1080P';
export const SHORT_SIDE: Record<Tier, number> = { '512P': 512, '768P': 768, '1080P': 1080 };

export const HAILUO_MODELS: readonly HailuoModel[] = [
  { id: 'MiniMax-Hailuo-2.3', textToVideo: true, lastFrame: false, resolutions: ['768P', '1080P'], timeFactor: 1 },
  { id: 'MiniMax-Hailuo-2.3-Fast', textToVideo: false, lastFrame: false, resolutions: ['768P', '1080P'], timeFactor: 0.5 },
  { id: 'MiniMax-Hailuo-02', textToVideo: true, lastFrame: true, resolutions: ['512P', '768P', '1080P'], timeFactor: 1 },
];

export function findModel(id: string): HailuoModel | undefined {
  return HAILUO_MODELS.find((m) => m.id === id);
}
