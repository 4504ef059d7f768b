import { type FormEvent, useState } from 'react';
import { createApi } from '../shared/api';
import { Alert, ErrorNotice, Field, PageTitle } from '../shared/ui';

/** Signs in with the admin token or an application's API key; the API itself says whether it takes it. */
export function SignInPage({ onSignIn, endedBecause }: { onSignIn: (token: string) => void; endedBecause: string | null }) {
  const [token, setToken] = useState('');
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const candidate = token.trim();
    if (candidate === '') return;
    setChecking(true);
    setError(null);
    try {
      await createApi(candidate).applications.list();
      onSignIn(candidate);
    } catch (failure) {
      setError(failure);
      setChecking(false);
    }
  };
  return (
    <section className="narrow">
      <PageTitle title="Sign in">Sign in</PageTitle>
      <Alert>{endedBecause}</Alert>
      <form onSubmit={(event) => void submit(event)} className="stack">
        <Field
          label="Admin token or API key"
          hint={
            <>
              Kept in this browser tab only, and sent only to this server's API. <code>npm start</code> prints the admin token.
            </>
          }
        >
          {(control) => <input {...control} type="password" autoComplete="off" spellCheck={false} value={token} onChange={(event) => setToken(event.target.value)} />}
        </Field>
        <ErrorNotice error={error} title="Not signed in" />
        <div>
          <button type="submit" disabled={checking}>
            {checking ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
    </section>
  );
}
