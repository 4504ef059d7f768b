import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId } from 'react';
import type { Message } from '../shared/api';
import { useApi, useAppId } from '../shared/context';
import { ConfirmedAction, ErrorNotice, Notice } from '../shared/ui';

/**
 * Removes a message's payload for good (Svix's expungeContent), as an operator must when a
 * payload holds what it should not have: its metadata, statuses and attempts stay, and it can no
 * longer be sent again.
 */
export function ExpungeContent({ message }: { message: Message }) {
  const api = useApi();
  const appId = useAppId();
  const queryClient = useQueryClient();
  const id = useId();
  const expunge = useMutation({
    mutationFn: () => api.messages.expungeContent(appId, message.id),
    // Every message query of the application: the page may have been opened by the eventId.
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['app', appId, 'msg'] }),
  });
  return (
    <section aria-labelledby={`${id}-title`} className="panel">
      <h2 id={`${id}-title`}>Expunge content</h2>
      <p className="hint">Removes the payload for good. The message, its deliveries and attempts stay; it can no longer be resent, replayed or recovered.</p>
      <div className="actions">
        <ConfirmedAction ask="Expunge content…" question="Remove this message's payload for good?" confirm="Expunge" onConfirm={() => expunge.mutate()} pending={expunge.isPending} danger />
      </div>
      {expunge.isSuccess ? <Notice>The payload was expunged.</Notice> : null}
      <ErrorNotice error={expunge.error} title="The payload was not expunged" />
    </section>
  );
}
