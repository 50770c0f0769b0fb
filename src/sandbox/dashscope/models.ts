/** What each Wan model on DashScope accepts, ≤ wan2.6 schema (spec providers-2 §3.3–3.4). */
export type Tier = '480P' | '720P' | '1080P';
export type WanMode = 't2v' | 'i2v' | 'r2v' | 'kf2v';
/** switch: `parameters.audio` (default on); on: always sound; silent: never. */
export type WanAudio = 'switch' | 'on' | 'silent';

export interface WanModel {
  id: string;
  mode: WanMode;
  tiers: readonly Tier[];
  durations: readonly number[];
  defaultDuration: number;
  audio: WanAudio;
  /** wan2.5/2.6 T2V and I2V follow an `audio_url` soundtrack. */
  audioUrl: boolean;
  /** Relative length of a simulated job. */
  timeFactor: number;
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

export const WAN_MODELS: readonly WanModel[] = [
  { id: 'wan2.6-t2v', mode: 't2v', tiers: ['720P', '1080P'], durations: range(2, 15), defaultDuration: 5, audio: 'switch', audioUrl: true, timeFactor: 1 },
  { id: 'wan2.5-t2v-preview', mode: 't2v', tiers: ['480P', '720P', '1080P'], durations: [5, 10], defaultDuration: 5, audio: 'on', audioUrl: true, timeFactor: 1 },
  { id: 'wan2.2-t2v-plus', mode: 't2v', tiers: ['480P', '1080P'], durations: [5], defaultDuration: 5, audio: 'silent', audioUrl: false, timeFactor: 1 },
  { id: 'wanx2.1-t2v-turbo', mode: 't2v', tiers: ['480P', '720P'], durations: [5], defaultDuration: 5, audio: 'silent', audioUrl: false, timeFactor: 0.6 },
  { id: 'wan2.6-i2v', mode: 'i2v', tiers: ['720P', '1080P'], durations: range(2, 15), defaultDuration: 5, audio: 'switch', audioUrl: true, timeFactor: 1 },
  { id: 'wan2.6-i2v-flash', mode: 'i2v', tiers: ['720P', '1080P'], durations: range(2, 15), defaultDuration: 5, audio: 'switch', audioUrl: true, timeFactor: 0.5 },
  { id: 'wan2.5-i2v-preview', mode: 'i2v', tiers: ['480P', '720P', '1080P'], durations: [5, 10], defaultDuration: 5, audio: 'on', audioUrl: true, timeFactor: 1 },
  { id: 'wan2.2-i2v-plus', mode: 'i2v', tiers: ['480P', '1080P'], durations: [5], defaultDuration: 5, audio: 'silent', audioUrl: false, timeFactor: 1 },
  { id: 'wan2.2-i2v-flash', mode: 'i2v', tiers: ['480P', '720P'], durations: [5], defaultDuration: 5, audio: 'silent', audioUrl: false, timeFactor: 0.5 },
  // Documented as video with audio only: parameters.audio=false is refused.
  { id: 'wan2.6-r2v', mode: 'r2v', tiers: ['720P', '1080P'], durations: range(2, 10), defaultDuration: 5, audio: 'on', audioUrl: false, timeFactor: 1 },
  { id: 'wan2.6-r2v-flash', mode: 'r2v', tiers: ['720P', '1080P'], durations: range(2, 10), defaultDuration: 5, audio: 'switch', audioUrl: false, timeFactor: 0.5 },
  { id: 'wan2.2-kf2v-flash', mode: 'kf2v', tiers: ['480P', '720P', '1080P'], durations: [5], defaultDuration: 5, audio: 'silent', audioUrl: false, timeFactor: 0.5 },
];

export function findModel(id: string): WanModel | undefined {
  return WAN_MODELS.find((m) => m.id === id);
}

/** Documented `size` values per tier, "W*H" (§3.4). */
export const TIER_SIZES: Record<Tier, readonly string[]> = {
  '480P': ['832*480', '480*832', '624*624'],
  '720P': ['1280*720', '720*1280', '960*960', '1088*832', '832*1088'],
  '1080P': ['1920*1080', '1080*1920', '1440*1440', '1632*1248', '1248*1632'],
};

export const TIER_PIXELS: Record<Tier, number> = { '480P': 832 * 480, '720P': 1280 * 720, '1080P': 1920 * 1080 };
