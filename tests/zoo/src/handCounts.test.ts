import { describe, expect, it } from 'vitest';
import { MOBILENET_V2_FULL, mobilenetV2 } from './mobilenetV2';
import { ZOO } from './zoo';

// Params and MACs worked out by hand from each architecture's hyperparameters (3×3 'same' convs unless noted):
// conv params k·k·cin·cout + cout (bias), MACs Ho·Wo·k·k·cin·cout; dense in·out + out, MACs in·out;
// BN 4·C params, Ho·Wo·C MACs; separable k·k·cin·m + cin·m·cout (+ cout), MACs Ho·Wo·(cin·m·k·k + cin·m·cout).
describe('hand counts at the default widths', () => {
  it('vgg', () => {
    // 16×16×3: block1_conv1 3→8   27·8+8 = 224     256·216 = 55296
    //          block1_conv2 8→8   72·8+8 = 584     256·576 = 147456     pool → 8×8
    //          block2_conv1 8→16  72·16+16 = 1168  64·1152 = 73728
    //          block2_conv2 16→16 144·16+16 = 2320 64·2304 = 147456     pool → 4×4, flatten 256
    //          fc1 256→32         8192+32 = 8224   8192
    //          predictions 32→10  320+10 = 330     320
    expect(ZOO.vgg.cost()).toEqual({ params: 12850, macs: 432448 });
  });

  it('seBlock', () => {
    // conv1 3→16 at 16×16      27·16+16 = 448   256·432 = 110592
    // se_squeeze 1×1 16→4      64+4 = 68        64 (on the 1×1 squeezed map)
    // se_excite 1×1 4→16       64+16 = 80       64
    // conv2 16→32 stride 2     144·32+32 = 4640 64·4608 = 294912
    // predictions 32→10        330              320
    expect(ZOO.seBlock.cost()).toEqual({ params: 5566, macs: 405952 });
  });

  it('siamese: the shared encoder counts its params once and its MACs twice', () => {
    // encoder on 12×12×1: enc_conv1 1→4   9·4+4 = 40      144·36 = 5184        pool → 6×6
    //                     enc_conv2 4→8   36·8+8 = 296    36·288 = 10368       pool → 3×3, flatten 72
    //                     enc_dense 72→16 1152+16 = 1168  1152                 encoder MACs 16704, ×2 = 33408
    // fusion concat(max, min, product) = 48; head_dense 48→8  384+8 = 392  384; head_out 8→1  8+1 = 9  8
    expect(ZOO.siamese.cost()).toEqual({ params: 40 + 296 + 1168 + 392 + 9, macs: 2 * 16704 + 384 + 8 });
    expect(ZOO.siamese.cost()).toEqual({ params: 1905, macs: 33800 });
  });

  it('gapHead', () => {
    // conv1 3→8 at 16×16 224 / 55296; conv2 8→16 stride 2 1168 / 64·1152 = 73728; conv3 16→16 2320 / 147456;
    // predictions 16→10 170 / 160
    expect(ZOO.gapHead.cost()).toEqual({ params: 3882, macs: 276640 });
  });

  it('conv1d', () => {
    // [32, 4]: conv1 k5 4→8  20·8+8 = 168  32·160 = 5120;  pool → 16;  conv2 k3 8→16  24·16+16 = 400  16·384 = 6144
    // pool → 8, flatten 128; fc1 128→16  2048+16 = 2064  2048;  predictions 16→5  80+5 = 85  80
    expect(ZOO.conv1d.cost()).toEqual({ params: 2717, macs: 13392 });
  });

  it('resnet', () => {
    // stem 3→8 (no bias) 216 / 55296, BN 32 / 2048
    // block1a, block1b at 16×16: 2 × (conv 576 / 147456, BN 32 / 2048)      each block 1216 / 299008
    // block2a at 8×8: conv1 8→16 1152 / 73728, BN 64 / 1024, conv2 2304 / 147456, BN 64 / 1024,
    //                 shortcut 1×1 8→16 128 / 8192, BN 64 / 1024                 3776 / 232448
    // block2b: 2 × (2304 / 147456, BN 64 / 1024)                               4736 / 296960
    // predictions 16→10 170 / 160
    expect(ZOO.resnet.cost()).toEqual({ params: 248 + 2 * 1216 + 3776 + 4736 + 170, macs: 57344 + 2 * 299008 + 232448 + 296960 + 160 });
    expect(ZOO.resnet.cost()).toEqual({ params: 11362, macs: 1184928 });
  });

  it('densenet', () => {
    // stem 3→8 224 / 55296; block 1 at 16×16 (C 8 → 12 → 16 → 20):
    //   BN 32 / 2048, conv 8→4 288 / 73728; BN 48 / 3072, conv 12→4 432 / 110592; BN 64 / 4096, conv 16→4 576 / 147456
    // transition: BN 80 / 5120, 1×1 20→10 200 / 51200, avgpool → 8×8; block 2 (C 10 → 14 → 18):
    //   BN 40 / 640, conv 10→4 360 / 23040; BN 56 / 896, conv 14→4 504 / 32256
    // final BN 72 / 1152; predictions 18→10 190 / 180
    expect(ZOO.densenet.cost()).toEqual({ params: 3166, macs: 510772 });
  });

  it('xception (block2_sep1 has depth multiplier 2 and a bias)', () => {
    // stem 3→8 216 / 55296, BN 32 / 2048
    // block1 at 16×16: sep1 8→16  72+128 = 200 / 256·200 = 51200, BN 64 / 4096; sep2 16→16  144+256 = 400 / 102400,
    //   BN 64 / 4096; shortcut 1×1 s2 8→16 at 8×8 128 / 8192, BN 64 / 1024
    // block2 at 8×8: sep1 16→(32)→32  288+1024+32 = 1344 / 64·1312 = 83968, BN 128 / 2048; sep2 32→32 1312 / 83968,
    //   BN 128 / 2048; shortcut 1×1 s2 16→32 at 4×4 512 / 8192, BN 128 / 512
    // predictions 32→10 330 / 320
    expect(ZOO.xception.cost()).toEqual({ params: 5050, macs: 409408 });
  });

  it('the full MobileNetV2 1.0 preset has the 3,538,984 params Keras reports for MobileNetV2(alpha=1.0)', () => {
    expect(mobilenetV2.cost(undefined, MOBILENET_V2_FULL).params).toBe(3_538_984);
    const model = mobilenetV2.build(MOBILENET_V2_FULL);
    expect(model.inputs[0]!.shape).toEqual([null, 224, 224, 3]);
    expect(model.countParams()).toBe(3_538_984);
    // 17 inverted residual blocks; stages of n = 1, 2, 3, 4, 3, 3, 1 blocks add in all but their first: 10 Adds.
    const classes = model.layers.map((l) => l.getClassName());
    expect(classes.filter((c) => c === 'DepthwiseConv2D')).toHaveLength(17);
    expect(classes.filter((c) => c === 'Add')).toHaveLength(10);
    expect(mobilenetV2.widthsOf(model)).toEqual(mobilenetV2.defaultWidths(MOBILENET_V2_FULL));
    model.dispose();
  });
});
