// Every command validates the log with the zod schemas; so do the tests.
import '../src/log/codec.js';
