import {
  CreatePlantNodeSchema,
  DeletePlantNodeSchema,
  IdParamsSchema,
  OkSchema,
  PlantNodeSchema,
  PlantTreeNodeSchema,
  UpdatePlantNodeSchema,
} from '@aegis/shared';
import { z } from 'zod';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import type { PlantService } from './service.js';

const tags = ['plant'];

export async function plantRoutes(app: App, { plant }: { plant: PlantService }) {
  app.get(
    '/api/plant/tree',
    {
      config: { permission: 'plant.read' },
      schema: {
        tags,
        summary: 'The plant model as a tree, limited to your scope',
        response: { 200: z.array(PlantTreeNodeSchema), ...errorResponses },
      },
    },
    (req) => plant.tree(req.ctx),
  );
  app.get(
    '/api/plant/nodes',
    {
      config: { permission: 'plant.read' },
      schema: {
        tags,
        summary: 'All plant nodes in your scope, flat',
        response: { 200: z.array(PlantNodeSchema), ...errorResponses },
      },
    },
    (req) => plant.list(req.ctx),
  );
  app.get(
    '/api/plant/nodes/:id',
    {
      config: { permission: 'plant.read' },
      schema: { tags, params: IdParamsSchema, response: { 200: PlantNodeSchema, ...errorResponses } },
    },
    (req) => plant.get(req.ctx, req.params.id),
  );
  app.post(
    '/api/plant/nodes',
    {
      config: { permission: 'plant.write' },
      schema: {
        tags,
        summary: 'Add a node (reason required)',
        body: CreatePlantNodeSchema,
        response: { 201: PlantNodeSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await plant.create(req.ctx, req.body)),
  );
  app.patch(
    '/api/plant/nodes/:id',
    {
      config: { permission: 'plant.write' },
      schema: {
        tags,
        summary: 'Change or move a node (reason required)',
        params: IdParamsSchema,
        body: UpdatePlantNodeSchema,
        response: { 200: PlantNodeSchema, ...errorResponses },
      },
    },
    (req) => plant.update(req.ctx, req.params.id, req.body),
  );
  app.delete(
    '/api/plant/nodes/:id',
    {
      config: { permission: 'plant.write' },
      schema: {
        tags,
        summary: 'Delete a leaf node (reason required)',
        params: IdParamsSchema,
        body: DeletePlantNodeSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => {
      await plant.remove(req.ctx, req.params.id, req.body.reason);
      return { ok: true as const };
    },
  );
}
