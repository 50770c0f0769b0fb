import { apiKeyManifest } from '../manifest.js';
import { createMinimaxAdapter, DEFAULT_MINIMAX_BASE_URL } from './adapter.js';

export const minimaxManifest = apiKeyManifest('minimax', 'minimax', { key: 'MINIMAX_API_KEY', baseUrl: 'MINIMAX_BASE_URL', defaultBaseUrl: DEFAULT_MINIMAX_BASE_URL }, createMinimaxAdapter);
