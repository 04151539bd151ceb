import type { Models } from '../../store/models';

// A late write, made on purpose: the returned models hold every insert, replace and update of the
// named read models until `release`, so a test can land an attempt after a newer one.

type ModelName = keyof Models;

export function withWritesHeld(real: Models, held: readonly ModelName[]): { models: Models; release: () => void } {
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const hold = (model: Models[ModelName]) => {
    const collection = new Proxy(model.collection, {
      get(target, property) {
        const member = Reflect.get(target, property, target) as unknown;
        if (typeof member !== 'function') return member;
        const call = (...args: unknown[]) => (member as (...a: unknown[]) => unknown).apply(target, args);
        return ['insertOne', 'replaceOne', 'updateOne'].includes(String(property)) ? async (...args: unknown[]) => released.then(() => call(...args)) : call;
      },
    });
    return { collection } as unknown as Models[ModelName];
  };
  const replaced: Partial<Record<ModelName, Models[ModelName]>> = Object.fromEntries(held.map((name) => [name, hold(real[name])]));
  return { models: new Proxy(real, { get: (target, name) => replaced[name as ModelName] ?? Reflect.get(target, name) }), release };
}
