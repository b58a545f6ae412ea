import { conv1d } from './conv1d';
import { densenet } from './densenet';
import { gapHead } from './gapHead';
import { mobilenetV2, type MobileNetV2Options } from './mobilenetV2';
import { resnet } from './resnet';
import { seBlock } from './seBlock';
import { siamese } from './siamese';
import { vgg } from './vgg';
import { xception } from './xception';
import type { ZooEntry, ZooName } from './zooEntry';

/** Every architecture of the zoo by name; iterate `Object.values(ZOO)` to test all of them. */
export const ZOO: Readonly<Record<ZooName, ZooEntry> & { mobilenetV2: ZooEntry<MobileNetV2Options> }> = Object.freeze({
  vgg,
  resnet,
  mobilenetV2,
  densenet,
  xception,
  seBlock,
  siamese,
  gapHead,
  conv1d,
});

/** The names of {@link ZOO}, in its order. */
export const ZOO_NAMES: readonly ZooName[] = Object.freeze(Object.keys(ZOO) as ZooName[]);
