/**
 * The control channel beside the deployment lease (`src/canary/ports/control.ts`): on a
 * `file://` backend a request is a file `<stack>.control.json` (0600) in the lease folder
 * (0700), written atomically (temporary file, then rename) so that a reader never sees half a
 * request. Reached through the file backend's `LeaseStore` (./lease.ts).
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ControlChannel, parseRequest } from '../canary/ports/control.js';
import { makePrivateDirs } from '../private-dirs.js';

/** The channel of `stack` in the lease folder `dir`. */
export function fileControlChannel(dir: string, stack: string): ControlChannel {
  const file = join(dir, `${stack}.control.json`);
  return {
    async send(request) {
      makePrivateDirs(dir);
      // Beside the target, so that the rename stays within one file system and is atomic.
      const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await writeFile(temporary, JSON.stringify(request), { mode: 0o600, flag: 'wx' });
        await rename(temporary, file);
      } catch (err) {
        await rm(temporary, { force: true });
        throw err;
      }
    },
    async take(deploymentId) {
      // Renamed away before it is read: of two readers, only one gets the request.
      const taken = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.taken`;
      try {
        await rename(file, taken);
      } catch {
        return null; // no request (or another reader took it)
      }
      try {
        const request = parseRequest(await readFile(taken, 'utf8'));
        return request?.deploymentId === deploymentId ? request : null;
      } catch {
        return null;
      } finally {
        await rm(taken, { force: true });
      }
    },
  };
}
