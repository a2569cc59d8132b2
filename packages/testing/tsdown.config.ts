import { binEntry, nodePackage } from '../../tsdown.shared.js';

export default nodePackage({ cjsBundle: ['jose'], extra: [binEntry('src/bin.ts')] });
