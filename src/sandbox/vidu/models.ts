/** The create endpoints (the simulator keeps its own copy: it plays the upstream, not our adapter). */
export type ViduEndpoint = 'text2video' | 'img2video' | 'reference2video' | 'start-end2video';
export const ENDPOINTS: readonly ViduEndpoint[] = ['text2video', 'img2video', 'reference2video', 'start-end2video'];

/** What one endpoint of one Vidu model accepts (spec providers-2 §4.3 and the V1 doc copy). */
export interface EndpointRule {
  durations: readonly number[];
  defaultDuration: number;
  /** Allowed resolutions, by duration when they differ (vidu2.0). */
  resolutions: (duration: number) => readonly string[];
  defaultResolution: (duration: number) => string;
}

export interface ViduModel {
  id: string;
  endpoints: Partial<Record<ViduEndpoint, EndpointRule>>;
  /** Q3: audio defaults to true on every endpoint; bgm and voice_id have no effect. */
  q3: boolean;
  /** Q2 and Q3 take 4:3 and 3:4 too. */
  wideRatios: boolean;
  promptMax: number;
  /** reference2video video-only mode: max images (vidu2.0: 3). */
  maxReferenceImages: number;
  /** Relative speed of the simulated job. */
  timeFactor: number;
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const fixed = (list: readonly string[], def: string) => ({ resolutions: () => list, defaultResolution: () => def });
const Q_RES = ['540p', '720p', '1080p'];

const q2 = (durations: number[], res = Q_RES): EndpointRule => ({ durations, defaultDuration: 5, ...fixed(res, '720p') });
const q3: EndpointRule = { durations: range(1, 16), defaultDuration: 5, ...fixed(Q_RES, '720p') };
const q1: EndpointRule = { durations: [5], defaultDuration: 5, ...fixed(['1080p'], '1080p') };
const v20: EndpointRule = {
  durations: [4, 8],
  defaultDuration: 4,
  resolutions: (d) => (d === 8 ? ['720p'] : ['360p', '720p', '1080p']),
  defaultResolution: (d) => (d === 8 ? '720p' : '360p'),
};
const v20ref: EndpointRule = { durations: [4], defaultDuration: 4, ...fixed(['360p', '720p'], '360p') };

const Q2_I2V = q2(range(1, 10));
const Q2_SE = q2(range(1, 8));

export const VIDU_MODELS: readonly ViduModel[] = [
  { id: 'viduq3-pro', endpoints: { text2video: q3, img2video: q3, 'start-end2video': q3 }, q3: true, wideRatios: true, promptMax: 5000, maxReferenceImages: 7, timeFactor: 1.3 },
  { id: 'viduq3-turbo', endpoints: { text2video: q3, img2video: q3, 'start-end2video': q3 }, q3: true, wideRatios: true, promptMax: 5000, maxReferenceImages: 7, timeFactor: 0.7 },
  { id: 'viduq2', endpoints: { text2video: Q2_I2V, reference2video: Q2_I2V }, q3: false, wideRatios: true, promptMax: 2000, maxReferenceImages: 7, timeFactor: 1 },
  // reference2video on viduq2-pro: TokenLab's public inventory serves it (the §4.3 table has "–").
  { id: 'viduq2-pro', endpoints: { img2video: Q2_I2V, 'start-end2video': Q2_SE, reference2video: Q2_I2V }, q3: false, wideRatios: true, promptMax: 2000, maxReferenceImages: 7, timeFactor: 1 },
  { id: 'viduq2-turbo', endpoints: { img2video: Q2_I2V, 'start-end2video': Q2_SE }, q3: false, wideRatios: true, promptMax: 2000, maxReferenceImages: 7, timeFactor: 0.6 },
  {
    id: 'viduq2-pro-fast',
    endpoints: { img2video: q2(range(1, 10), ['720p', '1080p']), 'start-end2video': q2(range(1, 8), ['720p', '1080p']) },
    q3: false,
    wideRatios: true,
    promptMax: 2000,
    maxReferenceImages: 7,
    timeFactor: 0.4,
  },
  { id: 'viduq1', endpoints: { text2video: q1, img2video: q1, reference2video: q1, 'start-end2video': q1 }, q3: false, wideRatios: false, promptMax: 2000, maxReferenceImages: 7, timeFactor: 1 },
  { id: 'viduq1-classic', endpoints: { img2video: q1, 'start-end2video': q1 }, q3: false, wideRatios: false, promptMax: 2000, maxReferenceImages: 7, timeFactor: 1 },
  { id: 'vidu2.0', endpoints: { img2video: v20, reference2video: v20ref, 'start-end2video': v20 }, q3: false, wideRatios: false, promptMax: 2000, maxReferenceImages: 3, timeFactor: 0.5 },
];

export function findModel(id: string): ViduModel | undefined {
  return VIDU_MODELS.find((m) => m.id === id);
}

/** Credits a task costs (the sim's own numbers: Vidu's price list is not in the spec). */
export function creditsFor(model: ViduModel, duration: number, resolution: string): number {
  const perSecond = resolution === '1080p' ? 8 : resolution === '720p' ? 5 : 3;
  return Math.max(1, Math.round(duration * perSecond * (model.q3 ? 1.5 : 1)));
}
