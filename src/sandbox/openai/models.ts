/** What one Sora model accepts on the Videos API (spec providers-1 §1.3). */
export interface SoraModel {
  id: string;
  sizes: readonly string[];
  /** Relative length of the simulated job (pro renders take longer). */
  timeFactor: number;
}

export const SORA_SECONDS = ['4', '8', '12', '16', '20'] as const;
export const DEFAULT_SECONDS = '4';
export const DEFAULT_SIZE = '720x1280';

const STANDARD = ['720x1280', '1280x720'] as const;
const PRO = [...STANDARD, '1024x1792', '1792x1024', '1080x1920', '1920x1080'] as const;

export const SORA_MODELS: readonly SoraModel[] = [
  { id: 'sora-2', sizes: STANDARD, timeFactor: 1 },
  { id: 'sora-2-2025-10-06', sizes: STANDARD, timeFactor: 1 },
  { id: 'sora-2-2025-12-08', sizes: STANDARD, timeFactor: 1 },
  { id: 'sora-2-pro', sizes: PRO, timeFactor: 1.5 },
  { id: 'sora-2-pro-2025-10-06', sizes: PRO, timeFactor: 1.5 },
];

export const DEFAULT_MODEL = 'sora-2';

export function findModel(id: string): SoraModel | undefined {
  return SORA_MODELS.find((m) => m.id === id);
}
