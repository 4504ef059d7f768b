import { type QueryKey, useInfiniteQuery } from '@tanstack/react-query';
import type { Page } from './api';

/**
 * A listing read page by page with the API's iterator: the rows loaded so far and a way to load
 * the next page, which costs the same at any depth (the iterator is a cursor, not an offset).
 */
export function usePaged<T>(key: QueryKey, fetchPage: (iterator: string | undefined) => Promise<Page<T>>, options: { refetchInterval?: number } = {}) {
  const query = useInfiniteQuery({
    queryKey: key,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => (last.done || last.iterator === null ? undefined : last.iterator),
    refetchInterval: options.refetchInterval,
  });
  return {
    rows: query.data?.pages.flatMap((page) => page.data) ?? [],
    isPending: query.isPending,
    error: query.error,
    hasMore: query.hasNextPage,
    loadMore: () => void query.fetchNextPage(),
    isLoadingMore: query.isFetchingNextPage,
    refetch: () => void query.refetch(),
  };
}
