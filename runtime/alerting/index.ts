// Notifications and the alerter (cli-runtime.md §1.8, §6.9): what the
// supervisor and `ramen notify` use.

export { type AlerterLog, type AlerterOptions, type IncidentView, Alerter } from "./alerter.js";
export { type Contact, contactsFile, readContacts } from "./contacts.js";
export { type ExecLog, ExecPool, MAX_RUNNING_COMMANDS } from "./exec.js";
export {
  type Notification,
  type NotificationInput,
  NOTIFICATION_DEFAULTS,
  appendToJournal,
  makeNotification,
  notificationsJournal,
  parseDecimal,
} from "./notification.js";
export {
  type MessageContext,
  type TemplateLog,
  type TemplateLookup,
  type TemplateValue,
  expandTemplate,
  messageVariables,
  shellQuote,
  sqlQuote,
  valueText,
} from "./template.js";
