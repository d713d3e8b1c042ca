// Generated from src/machines/stage.ts and session.ts by scripts/statecharts.mjs; do not edit.
// test/machines/statecharts.test.ts fails when this file no longer matches the machines.
import type { TransitionTable } from './table.js';

export const STAGE_TABLE: TransitionTable = {
  "pending": {
    "stage.ready": "ready",
    "stage.blocked": "blocked"
  },
  "ready": {
    "stage.started": "running",
    "stage.completed": "completed",
    "stage.blocked": "blocked",
    "stage.reset": "pending"
  },
  "running": {
    "stage.started": "running",
    "stage.handoff_requested": "needs_handoff",
    "stage.acceptance_failed": "running",
    "stage.completed": "completed",
    "stage.failed": "failed",
    "stage.blocked": "blocked",
    "stage.reset": "pending"
  },
  "needs_handoff": {
    "stage.started": "running",
    "stage.completed": "completed",
    "stage.failed": "failed",
    "stage.blocked": "blocked",
    "stage.reset": "pending"
  },
  "completed": {
    "stage.verified": "verified",
    "stage.rejected": "rejected",
    "stage.started": "running",
    "stage.blocked": "blocked",
    "stage.reset": "pending"
  },
  "verified": {
    "stage.merged": "merged",
    "stage.merge_failed": "verified",
    "stage.started": "running",
    "stage.rejected": "rejected",
    "stage.blocked": "blocked",
    "stage.reset": "pending"
  },
  "merged": {},
  "failed": {
    "stage.started": "running",
    "stage.completed": "completed",
    "stage.blocked": "blocked",
    "stage.reset": "pending"
  },
  "blocked": {
    "stage.started": "running",
    "stage.completed": "completed",
    "stage.reset": "pending"
  },
  "rejected": {
    "stage.started": "running",
    "stage.completed": "completed",
    "stage.blocked": "blocked",
    "stage.reset": "pending"
  }
};

export const SESSION_TABLE: TransitionTable = {
  "starting": {
    "session.working": "working",
    "session.idle": "idle",
    "session.waiting_permission": "waiting_permission",
    "session.context": "starting",
    "session.cost": "starting",
    "session.reminded": "starting",
    "session.handing_off": "handing_off",
    "session.ended": "ended",
    "session.crashed": "crashed"
  },
  "working": {
    "session.working": "working",
    "session.idle": "idle",
    "session.waiting_permission": "waiting_permission",
    "session.context": "working",
    "session.cost": "working",
    "session.reminded": "working",
    "session.handing_off": "handing_off",
    "session.ended": "ended",
    "session.crashed": "crashed"
  },
  "idle": {
    "session.working": "working",
    "session.idle": "idle",
    "session.waiting_permission": "waiting_permission",
    "session.context": "idle",
    "session.cost": "idle",
    "session.reminded": "idle",
    "session.handing_off": "handing_off",
    "session.ended": "ended",
    "session.crashed": "crashed"
  },
  "waiting_permission": {
    "session.working": "working",
    "session.idle": "idle",
    "session.waiting_permission": "waiting_permission",
    "session.context": "waiting_permission",
    "session.cost": "waiting_permission",
    "session.reminded": "waiting_permission",
    "session.handing_off": "handing_off",
    "session.ended": "ended",
    "session.crashed": "crashed",
    "session.permission_answered": "working"
  },
  "handing_off": {
    "session.working": "handing_off",
    "session.idle": "handing_off",
    "session.waiting_permission": "handing_off",
    "session.permission_answered": "handing_off",
    "session.context": "handing_off",
    "session.cost": "handing_off",
    "session.reminded": "handing_off",
    "session.handing_off": "handing_off",
    "session.ended": "ended",
    "session.crashed": "crashed"
  },
  "ended": {},
  "crashed": {}
};
