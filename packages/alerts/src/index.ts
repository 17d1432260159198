export { renderDelivery, SIGNATURE_HEADER, signature, slackText, TIMESTAMP_HEADER } from "./render.ts";
export {
  DELIVERY_TIMEOUT_MS,
  type DeliveryDeps,
  deliverWebhook,
  startWebhookDelivery,
  webhookDispatcher,
} from "./webhooks.ts";
