/**
 * Stands for the object `current()` answers when a property is read: for what a test file starts
 * in `beforeAll` but names at its top level. Read it inside tests and hooks only.
 */
export function startedLater<T extends object>(current: () => T | undefined, name: string): T {
  return new Proxy({} as T, {
    get(_, key) {
      const target = current();
      if (target === undefined) throw new Error(`the ${name} is not started: it starts in beforeAll, read it inside tests and hooks`);
      // Unbound: a method called on the stand-in reads its fields through it, and a class (a
      // mongoose model) keeps its static members.
      return Reflect.get(target, key);
    },
  });
}
