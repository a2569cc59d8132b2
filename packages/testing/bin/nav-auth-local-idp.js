#!/usr/bin/env node
// Published entry of the nav-auth-local-idp command; the implementation is built to dist/.
import '../dist/bin.js';
