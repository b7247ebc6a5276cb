import { z } from 'zod';

/** Control-room big screens (大屏): layouts, widgets, kiosk tokens. Contract: owned by the module's author. */
export const SCREEN_CONTRACT_VERSION = z.literal(1);
