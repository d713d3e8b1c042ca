/**
 * Telling whoever is needed: the notices due now are recorded (once each:
 * `notification.sent`) and then sent. Sending is not an effect on git or
 * tmux sessions and can take a person's command seconds, so it runs outside
 * the effects lock, in the background; the monitor waits for it before it ends.
 */
import path from 'node:path';
import { sendNotice } from '../../effects/notify.js';
import { decideNotices } from '../notify.js';
import type { Runtime } from '../runtime.js';

export function sendDueNotices(rt: Runtime): void {
  const { events } = rt.engine.commit((state) =>
    decideNotices(state, rt.config.run.stop_reminders, { defaults: rt.config.budget, now: Date.now() }),
  );
  const log = path.join(rt.engine.ws.workDir, 'logs', 'notify.log');
  for (const event of events) {
    if (event.type !== 'notification.sent') continue;
    rt.note(`told: ${event.title}: ${event.message}`);
    const sending = sendNotice(event, rt.config.notify, log).finally(() => rt.notifying.delete(sending));
    rt.notifying.add(sending);
  }
}
