import { QueryCache, QueryClient, MutationCache } from '@tanstack/react-query';
import { ApiFailure } from './api';

/**
 * One query client per signed-in session. A refused token (401) anywhere ends the session; other
 * 4xx answers are final and not retried, while a network failure or a 5xx is tried twice more.
 */
export function createQueryClient(onUnauthorized: (failure: ApiFailure) => void): QueryClient {
  const onError = (error: unknown) => {
    if (error instanceof ApiFailure && error.status === 401) onUnauthorized(error);
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        retry: (count, error) => !(error instanceof ApiFailure && error.status >= 400 && error.status < 500) && count < 2,
        refetchOnWindowFocus: false,
      },
    },
  });
}
