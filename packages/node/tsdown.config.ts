import { nodePackage } from '../../tsdown.shared.js';

// internal.ts: the @nav-auth/node/internal subpath, plumbing for the other @nav-auth packages.
export default nodePackage({ entry: ['src/index.ts', 'src/internal.ts'] });
