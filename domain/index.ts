export * from './screening';
export * from './matching';
export * from './dealLifecycle';
export * from './applicationLifecycle';
export * from './calendar';
export * from './recognitionRegistry';
export * from './proposing';
