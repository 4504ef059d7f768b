/** The entity's properties that can hold a value of type V as it is. */
type PropertyFor<E, V> = { [K in keyof E]-?: [V] extends [E[K]] ? K : never }[keyof E];

/**
 * Where each field of a PUT or PATCH body goes on the entity: the property that takes its value
 * as it is, or a function for anything more. Every field of the body is named, so a field added
 * to the body schema cannot be forgotten here.
 */
export type PatchPlan<B, E> = {
  [K in keyof B]-?: PropertyFor<E, Exclude<B[K], undefined>> | ((entity: E, value: Exclude<B[K], undefined>) => void);
};

/**
 * The function that applies a body to an entity by the plan: each field the body gives goes
 * where the plan says; a field it leaves out (undefined) leaves the entity's value as it is.
 */
export function patcher<B extends object, E extends object>(plan: PatchPlan<B, E>): (entity: E, body: B) => E {
  return (entity, body) => {
    for (const field of Object.keys(plan) as Array<keyof B>) {
      const value = body[field];
      if (value === undefined) continue;
      const target = plan[field];
      if (typeof target === 'function') target(entity, value as Exclude<B[keyof B], undefined>);
      else (entity as Record<PropertyKey, unknown>)[target as PropertyKey] = value;
    }
    return entity;
  };
}
