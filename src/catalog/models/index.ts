import type { ModelSpec } from '../types.js';
import { alibabaModels } from './alibaba.js';
import { bytedanceModels } from './bytedance.js';
import { googleModels } from './google.js';
import { klingModels } from './kling.js';
import { minimaxModels } from './minimax.js';
import { openaiModels } from './openai.js';
import { shengshuModels } from './shengshu.js';
import { topazModels } from './topaz.js';
import { xaiModels } from './xai.js';

/** The built-in inventory, in the order the seed's model list groups them. */
export const BUILTIN_MODELS: readonly ModelSpec[] = [...openaiModels, ...klingModels, ...googleModels, ...bytedanceModels, ...minimaxModels, ...alibabaModels, ...shengshuModels, ...xaiModels, ...topazModels];
