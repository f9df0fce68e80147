export { GitHubDeviceFlow, GitHubError, PENDING_STATUSES, type DeviceCode, type GitHubOptions, type PendingStatus } from './github.js';
export { loginChallenge, verifyLoginProof } from './proof.js';
export { AuthError, DeviceLogin, type TokenAnswer } from './routes.js';
