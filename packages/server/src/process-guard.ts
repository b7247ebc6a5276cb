import type { FastifyBaseLogger } from 'fastify';

/** What escaped every catch in this process since it started; shown by /healthz. */
export interface ProcessFaults {
  unhandledRejections: number;
  uncaughtExceptions: number;
  lastAt: string | null;
}

const faults: ProcessFaults = { unhandledRejections: 0, uncaughtExceptions: 0, lastAt: null };

export function processFaults(): ProcessFaults {
  return { ...faults };
}

type ProcessLike = Pick<NodeJS.Process, 'on' | 'off'>;

/**
 * The last line of defence of the server process. A promise nobody handled, or a throw from a
 * timer or an event handler, is a bug; it is logged loudly and counted, and the process keeps
 * running: the alarm engine and the interlocks are worth more than a clean exit. Every such
 * error is in a callback that has already unwound, so the modules' own state (committed to the
 * database before it changes in memory) is as consistent as it was before the callback.
 * Returns the function that removes the handlers.
 */
export function installProcessGuard(
  log: FastifyBaseLogger,
  opts: { proc?: ProcessLike; clock?: () => Date } = {},
) {
  const proc = opts.proc ?? process;
  const now = opts.clock ?? (() => new Date());
  const onRejection = (reason: unknown) => {
    faults.unhandledRejections++;
    faults.lastAt = now().toISOString();
    log.fatal(
      { err: reason, unhandledRejections: faults.unhandledRejections },
      'BUG: unhandled promise rejection; the server keeps running, please report this',
    );
  };
  const onException = (err: Error, origin: string) => {
    faults.uncaughtExceptions++;
    faults.lastAt = now().toISOString();
    log.fatal(
      { err, origin, uncaughtExceptions: faults.uncaughtExceptions },
      'BUG: uncaught exception; the server keeps running, please report this',
    );
  };
  proc.on('unhandledRejection', onRejection);
  proc.on('uncaughtException', onException);
  return () => {
    proc.off('unhandledRejection', onRejection);
    proc.off('uncaughtException', onException);
  };
}
