/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/** A short page for 404s, withdrawn results and refused form posts. */
import type { Dispute } from '../repository.js';
import { Layout } from './components/layout.js';
import { renderPage } from './render.js';
import type { Site } from './site.js';

export function messagePage(site: Site, title: string, message: string, options: { path?: string; disputes?: Dispute[]; back?: string } = {}): string {
  return renderPage(
    <Layout site={site} meta={{ title, description: message, path: options.path ?? '/' }}>
      <h1>{title}</h1>
      <p class="message">{message}</p>
      {options.disputes?.length ? (
        <p>
          The dispute thread{options.disputes.length > 1 ? 's' : ''}:{' '}
          {options.disputes.map((d, i) => (
            <>
              {i > 0 ? ', ' : ''}
              <a href={`/disputes/${d.id}`}>#{d.id}</a>
            </>
          ))}
          .
        </p>
      ) : null}
      {options.back ? (
        <p>
          <a href={options.back}>Back</a>
        </p>
      ) : null}
    </Layout>,
  );
}
