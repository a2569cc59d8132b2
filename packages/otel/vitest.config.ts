import { navAuthProject } from '../../vitest.shared.js';

export default navAuthProject('otel', { moduleCondition: false });
