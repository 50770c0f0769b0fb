/** What each Seedance model accepts on Ark (spec providers-1 §4.2–4.3). */
export interface SeedanceModel {
  id: string;
  /** Durations in seconds; -1 (model chooses) where `autoDuration`. */
  minDuration: number;
  maxDuration: number;
  autoDuration: boolean;
  resolutions: string[];
  /** Reference images/videos/audios (Seedance 2.0 multimodal references). */
  references: boolean;
  cameraFixed: boolean;
  draft: boolean;
  flexTier: boolean;
  /** generate_audio default when omitted. */
  audioDefault: boolean;
  /** Simulated job length multiplier. */
  timeFactor: number;
}

const S2 = { minDuration: 4, maxDuration: 15, autoDuration: true, references: true, cameraFixed: false, draft: false, flexTier: false, audioDefault: true };

export const SEEDANCE_MODELS: SeedanceModel[] = [
  {
    id: 'seedance-1-5-pro-251215',
    minDuration: 4,
    maxDuration: 12,
    autoDuration: true,
    resolutions: ['480p', '720p', '1080p'],
    references: false,
    cameraFixed: true,
    draft: true,
    flexTier: true,
    audioDefault: false,
    timeFactor: 1,
  },
  { id: 'dreamina-seedance-2-0-260128', ...S2, resolutions: ['480p', '720p', '1080p', '4k'], timeFactor: 1.2 },
  { id: 'dreamina-seedance-2-0-fast-260128', ...S2, resolutions: ['480p', '720p'], timeFactor: 0.6 },
];

/** Volcengine ids carry a `doubao-` prefix and drop `dreamina-`; each simulator region takes only its own spelling (server.ts). */
export function findModel(id: string): SeedanceModel | undefined {
  const bare = id.replace(/^doubao-/, '');
  return SEEDANCE_MODELS.find((m) => m.id === bare || m.id === `dreamina-${bare}`);
}
