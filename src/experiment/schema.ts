/**
 * The experiment file, as one zod schema. This is the contract people write
 * against: keys are only ever added, never renamed. Every field says its unit
 * and default in `.describe()`, which also feeds `gridsweep schema`.
 */
import { z } from 'zod';

export const ARCHITECTURES = ['seed', 'cifar10'] as const;
export const OPTIMIZERS = ['rmsprop', 'adam', 'sgd'] as const;

const positiveNumber = z.number().positive().finite();
const positiveInt = z.number().int().positive();

/** A value, or a list of values that becomes a grid axis. */
function valueOrAxis<T extends z.ZodType>(item: T) {
  return z.union([item, z.array(item).min(1)]);
}

function optionalAxis<T extends z.ZodType>(item: T, what: string) {
  return z
    .array(item)
    .min(1)
    .optional()
    .describe(`${what} to try (instead of one value in model or training).`);
}

const validationSplit = z
  .number()
  .gt(0)
  .lt(1)
  .default(0.25)
  .describe(
    'Fraction of each class held out for validation (stratified). Default 0.25.',
  );

const splitSeed = z
  .number()
  .int()
  .default(123)
  .describe('Seed of the train/validation split. Default 123.');

const foldersDataset = z
  .strictObject({
    kind: z.literal('folders').describe('Dataset kind.'),
    path: z
      .string()
      .min(1)
      .describe(
        'Folder with one sub-folder of images per class. Relative paths ' +
          'resolve from the experiment file.',
      ),
    validationPath: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Optional folder laid out like `path` holding the validation images; ' +
          'when given, validationSplit is not used.',
      ),
    validationSplit,
    splitSeed,
  })
  .describe('Images in class folders (the Keras directory layout).');

const flickr27Dataset = z
  .strictObject({
    kind: z.literal('flickr27').describe('Dataset kind.'),
    path: z
      .string()
      .min(1)
      .describe(
        'The Flickr Logos 27 folder as it unpacks: annotation files and ' +
          'flickr_logos_27_dataset_images/ inside it.',
      ),
    annotations: z
      .enum(['training', 'query', 'both'])
      .default('training')
      .describe(
        'Which annotation file gives the samples: the training boxes, the ' +
          'query set, or both. Default training.',
      ),
    noneClass: z
      .enum(['drop', 'keep'])
      .default('drop')
      .describe(
        "What to do with the query set's `none` images: drop them, or keep " +
          'them as a class of their own. Default drop.',
      ),
    sample: z
      .enum(['image', 'box'])
      .default('image')
      .describe(
        'Train on the whole photo, or on the annotated box cropped out of ' +
          'it. Default image.',
      ),
    boxMargin: z
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe(
        'With sample: box, extra margin around the box as a fraction of its ' +
          'width and height. Default 0.1.',
      ),
    validationSplit,
    splitSeed,
  })
  .describe('The Flickr Logos 27 distribution, read from its own files.');

const syntheticDataset = z
  .strictObject({
    kind: z.literal('synthetic').describe('Dataset kind.'),
    path: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Where the generated images are kept. Default: a folder under the ' +
          'user cache ($GRIDSWEEP_CACHE, else $XDG_CACHE_HOME/gridsweep, ' +
          'else ~/.cache/gridsweep) named by the settings below.',
      ),
    classes: z
      .number()
      .int()
      .min(2)
      .max(200)
      .default(10)
      .describe('Number of brands (classes). Default 10.'),
    perClass: z
      .number()
      .int()
      .min(2)
      .max(10_000)
      .default(40)
      .describe('Images generated per brand. Default 40.'),
    size: z
      .number()
      .int()
      .min(16)
      .max(1024)
      .default(96)
      .describe('Side of the generated images, in pixels. Default 96.'),
    seed: z
      .number()
      .int()
      .default(7)
      .describe('Seed of the generator: same seed, same images. Default 7.'),
    validationSplit,
    splitSeed,
  })
  .describe(
    'The built-in logo set: real brand marks rendered onto cluttered ' +
      'photos-like backgrounds, generated on first use.',
  );

export const datasetSchema = z
  .discriminatedUnion('kind', [
    foldersDataset,
    flickr27Dataset,
    syntheticDataset,
  ])
  .describe('Where the images come from: folders, flickr27 or synthetic.');

const architecture = z
  .enum(ARCHITECTURES)
  .describe(
    'seed: the blog post network (3 valid conv + pool blocks, dense 64); ' +
      'cifar10: the Keras CIFAR-10 example (2 double-conv blocks, dense 512).',
  );
const dropout = z
  .number()
  .min(0)
  .lt(1)
  .describe('Dropout rate before the output layer, 0 to <1.');
const epochs = positiveInt.max(100_000).describe('Passes over the training set.');
const batchSize = positiveInt.max(4096).describe('Images per gradient step.');
const optimizer = z.enum(OPTIMIZERS).describe('rmsprop, adam or sgd.');
const decay = z
  .number()
  .min(0)
  .finite()
  .describe(
    'Keras time-based learning-rate decay per step: ' +
      'lr / (1 + decay * iteration).',
  );
const learningRate = positiveNumber.describe('Initial learning rate.');
const imageSize = z
  .number()
  .int()
  .min(8)
  .max(1024)
  .describe('Side of the square network input, in pixels.');
const filters = positiveInt
  .max(1024)
  .describe('Filters of the first convolution (later layers scale from it).');

export const modelSchema = z
  .strictObject({
    architecture: valueOrAxis(architecture)
      .default('seed')
      .describe('Network architecture (or a list: a grid axis). Default seed.'),
    dropout: valueOrAxis(dropout)
      .default(0.5)
      .describe('Dropout rate (or a list: a grid axis). Default 0.5.'),
  })
  .describe('The network.');

export const trainingSchema = z
  .strictObject({
    epochs: valueOrAxis(epochs)
      .default(200)
      .describe('Epochs per trial (or a list: a grid axis). Default 200.'),
    batchSize: valueOrAxis(batchSize)
      .default(8)
      .describe('Batch size, images (or a list: a grid axis). Default 8.'),
    optimizer: valueOrAxis(optimizer)
      .default('rmsprop')
      .describe('Optimizer (or a list: a grid axis). Default rmsprop.'),
    decay: valueOrAxis(decay)
      .default(1e-6)
      .describe('Learning-rate decay (or a list: a grid axis). Default 1e-6.'),
  })
  .describe('How each trial trains.');

export const gridSchema = z
  .strictObject({
    learningRate: z
      .array(learningRate)
      .min(1)
      .describe('Learning rates to try. Required.'),
    imageSize: z
      .array(imageSize)
      .min(1)
      .describe('Input image sizes to try, in pixels. Required.'),
    filters: z
      .array(filters)
      .min(1)
      .describe('First-layer filter counts to try. Required.'),
    architecture: optionalAxis(architecture, 'Architectures'),
    dropout: optionalAxis(dropout, 'Dropout rates'),
    epochs: optionalAxis(epochs, 'Epoch counts'),
    batchSize: optionalAxis(batchSize, 'Batch sizes'),
    optimizer: optionalAxis(optimizer, 'Optimizers'),
    decay: optionalAxis(decay, 'Learning-rate decays'),
  })
  .describe(
    'The grid: every combination of these lists is one cell. learningRate, ' +
      'imageSize and filters are required; the other model and training ' +
      'options may be listed here too.',
  );

const patienceRule = z
  .strictObject({
    epochs: positiveInt
      .max(100_000)
      .describe('Epochs without a better validation loss before stopping.'),
    minDelta: z
      .number()
      .min(0)
      .finite()
      .default(0)
      .describe('Smallest drop in validation loss that counts as better. Default 0.'),
  })
  .describe(
    "Keras' EarlyStopping on val_loss, per trial: stop after `epochs` epochs " +
      'without improvement.',
  );

const medianRule = z
  .strictObject({
    grace: positiveInt
      .max(100_000)
      .default(10)
      .describe('Epochs every trial trains before the rule applies. Default 10.'),
    minTrials: positiveInt
      .max(10_000)
      .default(3)
      .describe(
        'Other trials that must have reached the same epoch before one is ' +
          'compared with them. Default 3.',
      ),
  })
  .describe(
    'Median stopping: stop a trial whose best validation accuracy so far is ' +
      'below the median of the other trials’ best at the same epoch.',
  );

const ashaRule = z
  .strictObject({
    minEpochs: positiveInt
      .max(100_000)
      .default(10)
      .describe('The first rung, in epochs. Default 10.'),
    reduction: z
      .number()
      .int()
      .min(2)
      .max(100)
      .default(3)
      .describe(
        'Rungs sit at minEpochs × reduction^k; at each, a trial continues only ' +
          'if it is in the top 1/reduction of the trials that reached it. ' +
          'Default 3.',
      ),
  })
  .describe(
    'Asynchronous successive halving (ASHA): at each rung, stop the trials ' +
      'outside the top fraction so far.',
  );

export const stoppingSchema = z
  .strictObject({
    lossFactor: z
      .number()
      .gt(1)
      .finite()
      .default(3)
      .describe(
        'A trial diverges when an epoch’s mean training loss exceeds ' +
          'lossFactor × ln(classes), the loss of a uniform guess (a NaN or ' +
          'infinite loss always diverges). Default 3.',
      ),
    patience: patienceRule.optional(),
    median: medianRule.optional(),
    asha: ashaRule.optional(),
  })
  .describe(
    'When a trial ends before its last epoch: divergence always; patience, ' +
      'median and asha when given. Every stop is recorded in the decisions ' +
      'table with the numbers compared.',
  );

export const experimentSchema = z
  .strictObject({
    $schema: z
      .string()
      .optional()
      .describe('Path or URL of this JSON Schema, for editors. Ignored.'),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, {
        message:
          'expected letters, digits, ".", "_" or "-" (it names the database file)',
      })
      .describe(
        'Name of the experiment; the default database is ' +
          'results/<name>.sqlite.',
      ),
    description: z.string().optional().describe('Free text, kept with results.'),
    dataset: datasetSchema,
    model: modelSchema.default({ architecture: 'seed', dropout: 0.5 }),
    training: trainingSchema.default({
      epochs: 200,
      batchSize: 8,
      optimizer: 'rmsprop',
      decay: 1e-6,
    }),
    grid: gridSchema,
    repeats: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(1)
      .describe(
        'Trials per grid cell, each with its own seed (seed + repeat). ' +
          'Default 1.',
      ),
    seed: z
      .number()
      .int()
      .default(42)
      .describe(
        'Sweep seed. Repeat r of every cell trains with seed + r, so cells ' +
          'are compared on the same initialisations and shuffles. Default 42.',
      ),
    workers: positiveInt
      .max(256)
      .optional()
      .describe('Worker threads, one trial each. Default: the number of cores.'),
    stopping: stoppingSchema.default({ lossFactor: 3 }),
    checkpointEvery: z
      .number()
      .int()
      .min(0)
      .max(100_000)
      .default(5)
      .describe(
        'Save each trial’s model and optimizer state every this many epochs, ' +
          'so a killed run resumes where it was; 0 saves only on Ctrl-C. ' +
          'Default 5.',
      ),
    epochTimeout: z
      .number()
      .positive()
      .max(604_800)
      .default(3600)
      .describe(
        'Seconds a worker may go without reporting an epoch before it counts ' +
          'as hung: its thread is stopped and the attempt fails (and is ' +
          'retried). Default 3600.',
      ),
    retries: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(2)
      .describe(
        'Times a trial is tried again after a failure that may pass (its ' +
          'worker crashed), resuming from its checkpoint. Default 2.',
      ),
  })
  .describe('A gridsweep experiment: a grid of training runs to compare.');

export type ExperimentInput = z.input<typeof experimentSchema>;
export type Experiment = z.output<typeof experimentSchema>;
export type DatasetSpec = z.output<typeof datasetSchema>;
export type StoppingPolicy = z.output<typeof stoppingSchema>;
export type Architecture = (typeof ARCHITECTURES)[number];
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** The experiment file's JSON Schema, for editors (`gridsweep schema`). */
export function experimentJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(experimentSchema, { io: 'input' }) as Record<
    string,
    unknown
  >;
}
