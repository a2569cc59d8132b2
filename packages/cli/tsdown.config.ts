import { binEntry, nodePackage } from '../../tsdown.shared.js';

export default nodePackage({ extra: [binEntry('src/main.ts')] });
