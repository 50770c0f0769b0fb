import { apiKeyManifest } from '../manifest.js';
import { createDashScopeAdapter, DEFAULT_DASHSCOPE_BASE_URL } from './adapter.js';

export const dashscopeManifest = apiKeyManifest('dashscope', 'dashscope', { key: 'DASHSCOPE_API_KEY', baseUrl: 'DASHSCOPE_BASE_URL', defaultBaseUrl: DEFAULT_DASHSCOPE_BASE_URL }, createDashScopeAdapter);
