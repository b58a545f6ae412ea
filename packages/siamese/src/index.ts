export { createSiameseModel, DEFAULT_SIAMESE_CONFIG } from './createSiameseModel';
export type { SiameseConfig } from './createSiameseModel';
export { SiameseFusion, registerSiameseFusion } from './siameseFusion';
