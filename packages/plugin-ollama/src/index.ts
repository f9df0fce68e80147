export { ollamaDriver, ollamaHost, ollamaGeneration, DEFAULT_OLLAMA_HOST } from './driver.js';
