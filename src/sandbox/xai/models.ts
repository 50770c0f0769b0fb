/**
 * What each Grok Imagine model accepts here (spec providers-1 §3.2). Where the spec is silent the
 * simulator follows TokenLab's inventory: 1.5 models are image-to-video only, references and
 * edits/extensions exist on grok-imagine-video only. `grok-imagine-video-beta` aliases the default.
 */
export interface GrokModel {
  id: string;
  textToVideo: boolean;
  referenceImages: boolean;
  edits: boolean;
  /** USD per output second by resolution, for `usage.cost_in_usd_ticks`. */
  pricePerSecond: { '480p': number; '720p': number };
}

const base = { textToVideo: true, referenceImages: true, edits: true, pricePerSecond: { '480p': 0.05, '720p': 0.07 } } as const;
/** $0.08/s 480p, $0.14/s 720p: the prices third parties quote from xAI's 1.5 model page (June 2026). */
const v15 = { textToVideo: false, referenceImages: false, edits: false, pricePerSecond: { '480p': 0.08, '720p': 0.14 } } as const;

// The 1.5 preview id is not served: xAI's model lists name grok-imagine-video-1.5 only.
export const GROK_MODELS: readonly GrokModel[] = [
  { id: 'grok-imagine-video', ...base },
  { id: 'grok-imagine-video-1.5', ...v15 },
  { id: 'grok-imagine-video-1.5-lite', ...v15, pricePerSecond: { '480p': 0.04, '720p': 0.05 } },
];

const ALIASES: Record<string, string> = { 'grok-imagine-video-beta': 'grok-imagine-video' };

export function findModel(id: string): GrokModel | undefined {
  const real = ALIASES[id] ?? id;
  return GROK_MODELS.find((m) => m.id === real);
}

/** 1 USD = 10,000,000,000 ticks (spec §3.5). */
export const TICKS_PER_USD = 10_000_000_000;
