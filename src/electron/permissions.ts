/** Session permissions: both Chromium's permission requests and its synchronous checks go through isPermissionAllowed. */
import type { Session } from 'electron';
import { isPermissionAllowed } from './security';

/**
 * Installs the request handler (prompts such as camera or notifications) and the check handler
 * (queries such as navigator.permissions, which Electron otherwise answers "granted").
 */
export function setupPermissions(ses: Session, devUrl: string | null): void {
  ses.setPermissionRequestHandler((_wc, permission, callback, details) => callback(isPermissionAllowed(permission, details.requestingUrl, devUrl)));
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin, devUrl));
}
