/**
 * The control channel beside the deployment lease (`src/canary/ports/control.ts`): on a
 * `file://` backend a request is a file `<stack>.control.json` (0600) in the lease folder
 * (0700), written atomically (temporary file, then rename) so that a reader never sees half a
 * request. Backends without a lease folder have no channel (undefined).
 */
import type { ControlChannel } from '../canary/ports/control.js';
import { EcsCrdError } from '../errors.js';

export function openControlChannel(dir: string | undefined, stack: string): ControlChannel | undefined {
  if (!dir) return undefined;
  throw new EcsCrdError(`internal error: openControlChannel not implemented (${stack})`);
}
