export { trainingRoutes } from './routes.js';
export { createTrainingService, type TrainingService } from './service.js';
