import {
  AbortRunSchema,
  ApplyLockSchema,
  CancelLockoutSchema,
  CompleteStepSchema,
  CreateLockoutSchema,
  CreateSopSchema,
  IdParamsSchema,
  LockoutListQuerySchema,
  LockoutPointParamsSchema,
  LockoutSchema,
  LockoutSummarySchema,
  RectifyStepSchema,
  ReleaseLockSchema,
  RunStepIndexParamsSchema,
  SkipStepSchema,
  SopListQuerySchema,
  SopProcedureDetailSchema,
  SopProcedureSchema,
  SopRunListQuerySchema,
  SopRunSchema,
  SopRunSummarySchema,
  StartSopRunSchema,
  TagCommandResultSchema,
  TagCommandSchema,
  UpdateSopSchema,
  VerifyLockSchema,
} from '@aegis/shared';
import { z } from 'zod';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import type { SopService } from './service.js';

const tags = ['sop'];
const base = '/api/sop';

/** Operating procedures (SOP) and lockout/tagout (LOTO, 上锁挂牌); the lockout-gated equipment command. */
export async function sopRoutes(app: App, { sop }: { sop: SopService }) {
  // ---- procedures
  app.get(
    `${base}/procedures`,
    {
      config: { permission: 'sop.read' },
      schema: {
        tags,
        summary: 'Operating procedures (操作规程) of the equipment in your scope',
        querystring: SopListQuerySchema,
        response: { 200: z.array(SopProcedureSchema), ...errorResponses },
      },
    },
    (req) => sop.listProcedures(req.ctx, req.query),
  );
  app.get(
    `${base}/procedures/:id`,
    {
      config: { permission: 'sop.read' },
      schema: {
        tags,
        params: IdParamsSchema,
        response: { 200: SopProcedureDetailSchema, ...errorResponses },
      },
    },
    (req) => sop.getProcedure(req.ctx, req.params.id),
  );
  app.post(
    `${base}/procedures`,
    {
      config: { permission: 'sop.manage' },
      schema: {
        tags,
        summary: 'A new procedure on an equipment item (version 1)',
        body: CreateSopSchema,
        response: { 201: SopProcedureDetailSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await sop.createProcedure(req.ctx, req.body)),
  );
  app.put(
    `${base}/procedures/:id`,
    {
      config: { permission: 'sop.manage' },
      schema: {
        tags,
        summary: 'Edit a procedure: a new version, with a reason; runs keep the version they started with',
        params: IdParamsSchema,
        body: UpdateSopSchema,
        response: { 200: SopProcedureDetailSchema, ...errorResponses },
      },
    },
    (req) => sop.updateProcedure(req.ctx, req.params.id, req.body),
  );

  // ---- runs
  app.get(
    `${base}/runs`,
    {
      config: { permission: 'sop.read' },
      schema: {
        tags,
        summary: 'Runs of procedures (执行记录), open first',
        querystring: SopRunListQuerySchema,
        response: { 200: z.array(SopRunSummarySchema), ...errorResponses },
      },
    },
    (req) => sop.listRuns(req.ctx, req.query),
  );
  app.get(
    `${base}/runs/:id`,
    {
      config: { permission: 'sop.read' },
      schema: { tags, params: IdParamsSchema, response: { 200: SopRunSchema, ...errorResponses } },
    },
    (req) => sop.getRun(req.ctx, req.params.id),
  );
  app.post(
    `${base}/runs`,
    {
      config: { permission: 'sop.perform' },
      schema: {
        tags,
        summary: 'Start a run of a procedure',
        body: StartSopRunSchema,
        response: { 201: SopRunSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await sop.startRun(req.ctx, req.body.sopId)),
  );
  app.post(
    `${base}/runs/:id/steps/:index/complete`,
    {
      config: { permission: 'sop.perform' },
      schema: {
        tags,
        summary:
          'Do a step: confirm, a reading (outside its limits: failed, the next step waits for its rectification) or photos of the run; 409 while the step before is not done',
        params: RunStepIndexParamsSchema,
        body: CompleteStepSchema,
        response: { 200: SopRunSchema, ...errorResponses },
      },
    },
    (req) => sop.completeStep(req.ctx, req.params.id, req.params.index, req.body),
  );
  app.post(
    `${base}/runs/:id/steps/:index/rectify`,
    {
      config: { permission: 'sop.perform' },
      schema: {
        tags,
        summary: 'Rectify a failed reading: what was done and a new reading within the limits',
        params: RunStepIndexParamsSchema,
        body: RectifyStepSchema,
        response: { 200: SopRunSchema, ...errorResponses },
      },
    },
    (req) => sop.rectifyStep(req.ctx, req.params.id, req.params.index, req.body),
  );
  app.post(
    `${base}/runs/:id/steps/:index/skip`,
    {
      config: { permission: 'sop.perform' },
      schema: {
        tags,
        summary: 'Skip a step, with a reason (recorded for training needs)',
        params: RunStepIndexParamsSchema,
        body: SkipStepSchema,
        response: { 200: SopRunSchema, ...errorResponses },
      },
    },
    (req) => sop.skipStep(req.ctx, req.params.id, req.params.index, req.body),
  );
  app.post(
    `${base}/runs/:id/finish`,
    {
      config: { permission: 'sop.perform' },
      schema: {
        tags,
        summary: 'Finish a run whose steps are all done, rectified or skipped',
        params: IdParamsSchema,
        response: { 200: SopRunSchema, ...errorResponses },
      },
    },
    (req) => sop.finishRun(req.ctx, req.params.id),
  );
  app.post(
    `${base}/runs/:id/abort`,
    {
      config: { permission: 'sop.perform' },
      schema: {
        tags,
        summary: 'Abort a run, with a reason',
        params: IdParamsSchema,
        body: AbortRunSchema,
        response: { 200: SopRunSchema, ...errorResponses },
      },
    },
    (req) => sop.abortRun(req.ctx, req.params.id, req.body),
  );

  // ---- lockouts
  app.get(
    `${base}/lockouts`,
    {
      config: { permission: 'sop.read' },
      schema: {
        tags,
        summary: 'Lockouts (上锁挂牌), those with a lock on first',
        querystring: LockoutListQuerySchema,
        response: { 200: z.array(LockoutSummarySchema), ...errorResponses },
      },
    },
    (req) => sop.listLockouts(req.ctx, req.query),
  );
  app.get(
    `${base}/lockouts/:id`,
    {
      config: { permission: 'sop.read' },
      schema: {
        tags,
        summary: 'A lockout with its isolation points, locks and verified signatures',
        params: IdParamsSchema,
        response: { 200: LockoutSchema, ...errorResponses },
      },
    },
    (req) => sop.getLockout(req.ctx, req.params.id),
  );
  app.post(
    `${base}/lockouts`,
    {
      config: { permission: 'lockout.apply' },
      schema: {
        tags,
        summary: 'A lockout of an equipment item with its isolation points (no lock on yet)',
        body: CreateLockoutSchema,
        response: { 201: LockoutSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await sop.createLockout(req.ctx, req.body)),
  );
  app.post(
    `${base}/lockouts/:id/points/:pointId/apply`,
    {
      config: { permission: 'lockout.apply' },
      schema: {
        tags,
        summary:
          'Put a lock on an isolation point, signed (确认); the first lock puts the equipment in maintenance and stops writes to it',
        params: LockoutPointParamsSchema,
        body: ApplyLockSchema,
        response: { 200: LockoutSchema, ...errorResponses },
      },
    },
    (req) => sop.applyLock(req.ctx, req.params.id, req.params.pointId, req.body),
  );
  app.post(
    `${base}/lockouts/:id/points/:pointId/verify`,
    {
      config: { permission: 'lockout.apply' },
      schema: {
        tags,
        summary:
          'Verify a lock by a try-start, signed (核验) by someone other than who put it on (403 separation_of_duties)',
        params: LockoutPointParamsSchema,
        body: VerifyLockSchema,
        response: { 200: LockoutSchema, ...errorResponses },
      },
    },
    (req) => sop.verifyLock(req.ctx, req.params.id, req.params.pointId, req.body),
  );
  app.post(
    `${base}/lockouts/:id/points/:pointId/release`,
    {
      config: { permission: 'lockout.apply' },
      schema: {
        tags,
        summary:
          'Take a lock off, signed (解除); someone other than who put it on gives a reason; the last one gives the equipment its status back',
        params: LockoutPointParamsSchema,
        body: ReleaseLockSchema,
        response: { 200: LockoutSchema, ...errorResponses },
      },
    },
    (req) => sop.releaseLock(req.ctx, req.params.id, req.params.pointId, req.body),
  );
  app.post(
    `${base}/lockouts/:id/cancel`,
    {
      config: { permission: 'lockout.apply' },
      schema: {
        tags,
        summary: 'Cancel a lockout with no lock on, with a reason',
        params: IdParamsSchema,
        body: CancelLockoutSchema,
        response: { 200: LockoutSchema, ...errorResponses },
      },
    },
    (req) => sop.cancelLockout(req.ctx, req.params.id, req.body),
  );

  // ---- the equipment command, gated by lockout
  app.post(
    '/api/tags/:id/command',
    {
      config: { permission: 'tag.write' },
      schema: {
        tags: ['tags'],
        summary:
          'Command equipment: write a value to a writable tag through its connector, with a reason (audited with the outcome). 409 locked_out while a lock is applied on the equipment (or the tag is an isolation point’s command tag), unless the value is that point’s safe value',
        params: IdParamsSchema,
        body: TagCommandSchema,
        response: { 200: TagCommandResultSchema, ...errorResponses },
      },
    },
    (req) => sop.command(req.ctx, req.params.id, req.body),
  );
}
