// The repository root around the library package (packages/longshort/): the bundled data/ and docs/
// live there, shared by the library's and the command line's tests.
import { fileURLToPath } from 'node:url';

/** The repository root, with a trailing slash. */
export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
