/** What one Veo model accepts on the Gemini API (docs "Model versions" + parameter table). */
export interface VeoModel {
  id: string;
  durations: readonly number[];
  /** Empty: the model takes no `resolution` parameter at all (Veo 2). */
  resolutions: readonly string[];
  referenceImages: boolean;
  /** Video extension (`instances[0].video`). */
  extension: boolean;
  /** Audio is always on for Veo 3.x on the Gemini API; Veo 2 is silent. */
  audio: boolean;
  maxSamples: number;
  /** Veo 3.0 renders 1080p only in 16:9. */
  hdLandscapeOnly: boolean;
  /** Relative speed of the simulated job (fast/lite models finish sooner). */
  timeFactor: number;
  generation: '2' | '3';
}

const veo31 = {
  durations: [4, 6, 8],
  resolutions: ['720p', '1080p', '4k'],
  referenceImages: true,
  extension: true,
  audio: true,
  maxSamples: 1,
  hdLandscapeOnly: false,
  timeFactor: 1,
  generation: '3',
} as const;

const veo30 = { ...veo31, durations: [8], resolutions: ['720p', '1080p'], referenceImages: false, extension: false, hdLandscapeOnly: true } as const;

export const VEO_MODELS: readonly VeoModel[] = [
  { id: 'veo-3.1-generate-preview', ...veo31 },
  { id: 'veo-3.1-fast-generate-preview', ...veo31, timeFactor: 0.6 },
  { id: 'veo-3.1-lite-generate-preview', ...veo31, resolutions: ['720p', '1080p'], referenceImages: false, extension: false, timeFactor: 0.5 },
  // Veo 3.0 renders 8-second videos only (Google's Veo cookbook: "always 8s for Veo 3"), at 720p
  // or 1080p (4k arrived with Veo 3.1). Another durationSeconds is refused, never rounded.
  { id: 'veo-3.0-generate-001', ...veo30 },
  { id: 'veo-3.0-fast-generate-001', ...veo30, timeFactor: 0.6 },
  {
    id: 'veo-2.0-generate-001',
    durations: [5, 6, 8],
    resolutions: [],
    referenceImages: false,
    extension: false,
    audio: false,
    maxSamples: 2,
    hdLandscapeOnly: false,
    timeFactor: 1,
    generation: '2',
  },
];

export function findModel(id: string): VeoModel | undefined {
  return VEO_MODELS.find((m) => m.id === id);
}

/** A `google.ai.generativelanguage.v1beta.Model` as models.list shows it. */
export function modelResource(m: VeoModel) {
  return {
    name: `models/${m.id}`,
    version: m.generation === '2' ? '2.0' : m.id.startsWith('veo-3.0') ? '3.0' : '3.1',
    displayName: m.id
      .replace(/^veo-/, 'Veo ')
      .replace(/-generate.*$/, '')
      .replace('-fast', ' Fast')
      .replace('-lite', ' Lite'),
    description: `Veo video generation (${m.id}).`,
    inputTokenLimit: 1024,
    outputTokenLimit: 1,
    supportedGenerationMethods: ['predictLongRunning'],
  };
}
