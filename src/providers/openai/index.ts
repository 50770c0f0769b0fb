export { createAzureOpenAIAdapter, createOpenAIAdapter, DEFAULT_OPENAI_BASE_URL, type AzureOpenAIAdapterOptions, type OpenAIAdapterOptions } from './adapter.js';
export * from './mapping.js';
export { imagePixelSize, SORA_IMAGE_TYPES, soraImageType, type PixelSize, type SoraImageType } from './image-size.js';
export type * from './wire.js';
export { openaiManifest } from './manifest.js';
