export { ollamaDriver, ollamaHost, ollamaGeneration, ollamaPlacement, DEFAULT_OLLAMA_HOST } from './driver.js';
