/** Mean of the MNIST training pixels after scaling to [0, 1], as the lab normalises. */
export const MNIST_MEAN = 0.1307;

/** Standard deviation of the MNIST training pixels after scaling to [0, 1], as the lab normalises. */
export const MNIST_STD = 0.3081;

/** Height and width of one MNIST image in pixels. */
export const IMAGE_SIZE = 28;

/** Number of values in one normalised image ([28, 28, 1]). */
export const IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE;

/** Number of digit classes (0 … 9). */
export const NUM_CLASSES = 10;

/** Which of the four MNIST IDX files is meant. */
export type MnistFileKey = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';

/** The canonical (uncompressed) file names of the four MNIST IDX files, as originally published. */
export const MNIST_FILE_NAMES: Readonly<Record<MnistFileKey, string>> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** The four file keys in a fixed order. */
export const MNIST_FILE_KEYS: readonly MnistFileKey[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];

/** The mirror torchvision downloads MNIST from (the original host now refuses downloads). */
export const DEFAULT_MNIST_BASE_URL = 'https://ossci-datasets.s3.amazonaws.com/mnist/';

/** SHA-256 of each original MNIST file's uncompressed bytes (so any gzip packaging of them verifies). */
export const MNIST_SHA256: Readonly<Record<MnistFileKey, string>> = {
  trainImages: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
  trainLabels: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
  testImages: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
  testLabels: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
};
