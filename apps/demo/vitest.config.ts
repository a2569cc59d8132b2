import { navAuthProject } from '../../vitest.shared.js';

export default navAuthProject('demo', { moduleCondition: false });
