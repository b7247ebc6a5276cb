// Worker threads do not inherit the TypeScript loader on Node 20: register it, then load the generator.
import { register } from 'tsx/esm/api';

register();
await import('./load.ts');
