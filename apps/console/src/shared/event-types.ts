import { useEffect } from 'react';
import { useApi } from './context';
import { usePaged } from './paging';

/** The whole event-type catalogue (it is small: every page is loaded), for pickers and suggestions. */
export function useEventTypes() {
  const api = useApi();
  const catalogue = usePaged(['event-types'], (iterator) => api.eventTypes.list(iterator));
  const { hasMore, isLoadingMore, loadMore } = catalogue;
  useEffect(() => {
    if (hasMore && !isLoadingMore) loadMore();
  }, [hasMore, isLoadingMore, loadMore]);
  return catalogue;
}
