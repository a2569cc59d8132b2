#!/usr/bin/env node
// The nav-auth command; the implementation is built to dist/.
import '../dist/main.js';
