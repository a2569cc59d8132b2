import { nodePackage } from '../../tsdown.shared.js';

export default nodePackage();
