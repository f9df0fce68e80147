export { openAiCompatDriver, openAiCompatUrl, OPENAI_COMPAT_SETTINGS_SCHEMA, NOT_CONFIGURED, type OpenAiCompatSettings } from './driver.js';
