// The alerter loop of the supervisor (cli-runtime.md §1.8): notifications
// open and close incidents, one per notification name; the opening (after
// its debounce delay) and the closing of an incident are delivered to every
// contact. It holds no timer: the supervisor calls `tick` every second, and
// tests drive it with a fake clock.

import { randomUUID } from "node:crypto";
import { hostname as osHostname } from "node:os";
import { readContacts } from "./contacts.js";
import { ExecPool, MAX_RUNNING_COMMANDS } from "./exec.js";
import type { Notification } from "./notification.js";
import { type MessageContext, expandTemplate, messageVariables } from "./template.js";

export interface AlerterLog {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

export interface AlerterOptions {
  /** `alerting/contacts.json`, read at each delivery */
  readonly contactsFile: string;
  readonly log: AlerterLog;
  /** the clock, in UNIX seconds, until the first tick */
  readonly now: number;
  /** `${hostname}` of templates; default: this machine's */
  readonly hostname?: string;
  readonly maxRunningCommands?: number;
}

/** What can be seen of an incident from outside. */
export interface IncidentView {
  readonly name: string;
  readonly id: string;
  /** event time (or sent time) of the notification that opened it */
  readonly start: number;
  /** whether its opening message went out (false while within its debounce delay) */
  readonly announced: boolean;
}

interface Incident {
  readonly name: string;
  readonly id: string;
  readonly start: number;
  readonly opener: Notification;
  lastFiring: Notification;
  /** when the opening message is due: sent time + debounce */
  readonly announceAt: number;
  announced: boolean;
  /** when it closes by itself: event time of the last firing notification + its timeout; null: never */
  deadline: number | null;
}

/** The time a notification is about: its event time, else when it was sent. */
function timeOf(n: Notification): number {
  return n.event_time ?? n.sent_time;
}

function deadlineOf(n: Notification): number | null {
  return n.timeout > 0 ? timeOf(n) + n.timeout : null;
}

export class Alerter {
  private readonly incidents = new Map<string, Incident>();
  private readonly exec: ExecPool;
  private readonly hostname: string;
  private clock: number;

  constructor(private readonly options: AlerterOptions) {
    this.exec = new ExecPool(options.log, options.maxRunningCommands ?? MAX_RUNNING_COMMANDS);
    this.hostname = options.hostname ?? osHostname();
    this.clock = options.now;
  }

  /**
   * Takes one notification in; deliveries due at once start now, their
   * `${now}` being the time of the last tick.
   */
  receive(n: Notification): void {
    if (n.test) {
      // a test never opens an incident: delivered once, as it is
      const start = timeOf(n);
      this.deliver({ notification: n, incidentId: randomUUID(), firing: n.firing, start, stop: n.firing ? null : start, now: this.clock });
      return;
    }
    const incident = this.incidents.get(n.name);
    if (n.firing) {
      if (incident) {
        // a duplicate: nothing to send, but it keeps the incident alive
        incident.lastFiring = n;
        incident.deadline = deadlineOf(n);
        return;
      }
      const opened: Incident = {
        name: n.name,
        id: randomUUID(),
        start: timeOf(n),
        opener: n,
        lastFiring: n,
        announceAt: n.sent_time + n.debounce,
        announced: false,
        deadline: deadlineOf(n),
      };
      this.incidents.set(n.name, opened);
      if (n.debounce <= 0) this.announce(opened, this.clock);
    } else if (incident) {
      // an opening due before this closing was sent had the clock ticked in between
      if (!incident.announced && incident.announceAt <= n.sent_time) this.announce(incident, this.clock);
      this.close(incident, n, timeOf(n), this.clock);
    }
  }

  /** Advances the clock to `now` (UNIX seconds): sends debounced openings and closes timed-out incidents. */
  tick(now: number): void {
    this.clock = now;
    for (const incident of this.incidents.values()) {
      const closesAt = incident.deadline ?? Infinity;
      // an opening due before the deadline went out before the closing would have
      if (!incident.announced && incident.announceAt <= now && incident.announceAt < closesAt) this.announce(incident, now);
      if (closesAt <= now) this.close(incident, incident.lastFiring, closesAt, now);
    }
  }

  /** The incidents currently open, announced or within their debounce delay. */
  openIncidents(): IncidentView[] {
    return [...this.incidents.values()].map(({ name, id, start, announced }) => ({ name, id, start, announced }));
  }

  /** Resolves once every command started or queued so far has finished. */
  idle(): Promise<void> {
    return this.exec.idle();
  }

  private announce(incident: Incident, now: number): void {
    incident.announced = true;
    this.options.log.info(`incident ${incident.id} opened: ${incident.name}`);
    this.deliver({ notification: incident.opener, incidentId: incident.id, firing: true, start: incident.start, stop: null, now });
  }

  /** Closes `incident` at `stop`, with the parameters of `by`; unannounced, it ends silently. */
  private close(incident: Incident, by: Notification, stop: number, now: number): void {
    this.incidents.delete(incident.name);
    if (!incident.announced) {
      this.options.log.info(`incident ${incident.id} closed within its debounce delay, nothing sent: ${incident.name}`);
      return;
    }
    this.options.log.info(`incident ${incident.id} closed: ${incident.name}`);
    this.deliver({ notification: by, incidentId: incident.id, firing: false, start: incident.start, stop, now });
  }

  private deliver(message: MessageContext): void {
    const { contacts, errors } = readContacts(this.options.contactsFile);
    for (const e of errors) this.options.log.error(e.message);
    const variables = messageVariables({ ...message, hostname: this.hostname });
    for (const contact of contacts) {
      this.exec.run(contact.name, expandTemplate(contact.exec, variables, this.options.log), JSON.stringify([contact.name, message.incidentId]));
    }
  }
}
