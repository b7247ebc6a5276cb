export { type Aegis, createAegis } from './app.js';
export { type Config, loadConfig } from './config.js';
