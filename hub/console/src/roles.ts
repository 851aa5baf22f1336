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
