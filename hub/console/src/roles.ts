// What a role may do on an alarm, a device and the speakers. The hub
// enforces it; the console only leaves out the buttons that would be refused.

/** `none`: viewers (and any role this console does not know); `ack`: guards; `all`: operator and above. */
export type Permission = 'none' | 'ack' | 'all';

const PERMISSIONS: ReadonlyMap<string, Permission> = new Map([
  ['viewer', 'none'],
  ['guard', 'ack'],
  ['operator', 'all'],
  ['safety', 'all'],
  ['admin', 'all'],
]);

export function permission(role: string): Permission {
  return PERMISSIONS.get(role) ?? 'none';
}

/** Commands a guard may give (hub/src/api/devices.rs `GUARD_COMMANDS`): gates and doors. */
const GUARD_COMMANDS = ['door.', 'barrier.'];

export function mayCommand(role: string, command: string): boolean {
  switch (permission(role)) {
    case 'all':
      return true;
    case 'ack':
      return GUARD_COMMANDS.some((p) => command.startsWith(p));
    case 'none':
      return false;
  }
}

/** Broadcasting is the duty room's (operator and above). */
export function mayBroadcast(role: string): boolean {
  return permission(role) === 'all';
}

/** Roles from least to most. */
const RANK: readonly string[] = ['viewer', 'guard', 'operator', 'safety', 'admin'];

/** Whether `role` is at least `least` (a role this console does not know is below every one). */
export function atLeast(role: string, least: string): boolean {
  const r = RANK.indexOf(role);
  return r >= 0 && r >= RANK.indexOf(least);
}

/**
 * The dual-prevention program's officer steps (import the lists, record a
 * review, issue a notice, accept, reject, cancel a hazard): safety and admin.
 */
export function maySafety(role: string): boolean {
  return atLeast(role, 'safety');
}

/**
 * The program's steps that change something and are not the officer's: a
 * report, a round, and the rectification steps of a hazard of one's own
 * units (fix, plan, start, progress, submit): guard and above. A viewer
 * sees and does nothing.
 */
export function mayAct(role: string): boolean {
  return atLeast(role, 'guard');
}
