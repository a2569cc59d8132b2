import { nodePackage } from '../../tsdown.shared.js';

export default nodePackage({ entry: ['src/index.ts', 'src/testing.ts'] });
