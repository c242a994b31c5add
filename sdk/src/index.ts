// @hookrelay/sdk: publish events to and manage a hookrelay server, and verify the webhooks it
// sends. No dependencies; Node 18 or later.
export { HookrelayClient, newEventId } from './client.js';
export type { ClientOptions } from './transport.js';
export { ProblemError, ConnectionError, type Problem, type FieldError } from './errors.js';
export {
  verifyWebhook, verifySignature, WebhookVerificationError,
  type HeadersLike, type VerifyOptions, type Verified, type VerificationFailure, type WebhookEvent, type WebhookPayload,
} from './verify.js';
export { nodeHandler, expressWebhook, type EventContext, type OnEvent, type ReceiverOptions, type ExpressLikeRequest } from './adapters.js';
export { fastifyWebhook, type FastifyWebhookOptions, type FastifyLike } from './fastify.js';
export type * from './types.js';
export type * from './types-more.js';
