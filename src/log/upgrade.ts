/**
 * Brings an event line written by an older Flux up to the current schema
 * before validation. Every event type is at v1 today; when a type gets a v2,
 * its v1 → v2 step goes here and the golden logs in test/fixtures keep
 * proving that old logs still load.
 */
export const CURRENT_EVENT_VERSION = 1;

type Upgrade = (raw: Record<string, unknown>) => Record<string, unknown>;

/** Keyed by `${type}@${fromVersion}`. */
const upgrades: Record<string, Upgrade> = {};
const hasUpgrades = Object.keys(upgrades).length > 0;

export function upgradeEvent(raw: Record<string, unknown>): Record<string, unknown> {
  // The common case on every read: a current line and nothing to upgrade.
  if (raw.v === CURRENT_EVENT_VERSION && !hasUpgrades) return raw;
  let current = raw;
  for (;;) {
    const step = upgrades[`${String(current.type)}@${String(current.v)}`];
    if (step === undefined) return current;
    current = step(current);
  }
}
