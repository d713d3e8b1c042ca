/**
 * The record that a person was told something (docs/notify.md): it keeps
 * each notice to once, across processes.
 */
import { z } from 'zod';
import { event, stageId } from './envelope.js';

/** A person was told they are needed (or that the plan is done), once per `key` (docs/notify.md). */
export const notificationSent = event('notification.sent', {
  key: z.string().min(1),
  kind: z.enum(['review', 'permission', 'crash', 'conflict', 'budget', 'host', 'done']),
  stage: stageId.optional(),
  title: z.string(),
  message: z.string(),
});
