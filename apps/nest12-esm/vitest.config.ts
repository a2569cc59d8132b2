import { navAuthProject } from '../../vitest.shared.js';

export default navAuthProject('nest12-esm');
