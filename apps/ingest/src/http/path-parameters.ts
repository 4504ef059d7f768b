// A path is declared as the document has it, its parameters named as in Svix's API
// (`/api/v1/app/{app_id}`); the route Nest serves has the same shape, its parameters in camelCase
// (`/api/v1/app/:appId`), the names handlers take with @Param and traces and metrics show.

/** The parameters of a documented path, in order (`app_id`, ...). */
export const pathParameters = (path: string): string[] => [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name!);

/** A documented parameter's name in the route and the handler (`app_id` → `appId`). */
export const routeParameter = (name: string): string => name.replace(/_(\w)/g, (_, letter: string) => letter.toUpperCase());

/** A route parameter's name in the document, and so in a 422's loc (`appId` → `app_id`). */
export const documentParameter = (name: string): string => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** The route Nest serves for a documented path (`/api/v1/app/{app_id}` → `/api/v1/app/:appId`). */
export const routePath = (path: string): string => path.replace(/\{(\w+)\}/g, (_, name: string) => `:${routeParameter(name)}`);
