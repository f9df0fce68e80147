export { loginWithDeviceFlow, loginChallenge, loginFilePath, refuseStrictAnon, saveLogin, type DeviceCodeAnswer, type LoginOptions, type LoginRecord } from './device-login.js';
