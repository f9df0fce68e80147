/** Test helpers for driver plugins: replay recorded backend transcripts on a loopback server. */
export * from './replay-server.js';
export { openAiBackendRoutes, type OpenAiBackendOptions } from './openai-backend.js';
export { fakePythonSite, assertContractGenerations, type FakePythonSite } from './python-fakes.js';
export { sampleResult, sampleRun } from './sample-run.js';
export { plantedClasses, plantedFields, splitFixtureRuns, oversizeExtrasRuns, bundledDriverRuns, type PlantedClass, type PlantedField } from './privacy-corpus.js';
export { buildForgeryCorpus, postCorpus, type ForgeryCorpus, type Mutation, type PostOutcome } from './forgery-corpus.js';
export { driverTestContext, generateOnce } from './generate-once.js';
