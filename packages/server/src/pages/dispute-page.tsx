/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/** /disputes/<n>: one thread, the run it is about, and a form to reply. */
import type { Dispute } from '../repository.js';
import { DisputeThread } from './components/disputes.js';
import { Layout } from './components/layout.js';
import { clip } from './format.js';
import { WITHDRAWN_MESSAGE } from './messages.js';
import { renderPage } from './render.js';
import type { Site } from './site.js';

export interface DisputeData {
  dispute: Dispute;
  /** What the run page's headline would say; absent when the run is withdrawn. */
  runTitle?: string;
  withdrawn: boolean;
}

export function DisputePage({ data, site }: { data: DisputeData; site: Site }) {
  const { dispute } = data;
  const opening = dispute.messages[0]?.body ?? '';
  return (
    <Layout site={site} meta={{ title: `Dispute #${dispute.id} on ${dispute.resultId}`, description: clip(opening, 200), path: `/disputes/${dispute.id}` }}>
      <h1>
        Dispute #{dispute.id} on <span class="mono">{dispute.resultId}</span>
      </h1>
      {data.withdrawn ? (
        <p class="notice" id="withdrawn">
          {WITHDRAWN_MESSAGE}
        </p>
      ) : (
        <p>
          About the run <a href={`/r/${dispute.resultId}`}>{data.runTitle ?? dispute.resultId}</a>. The thread is public: the submitter is invited to reproduce, and a result that cannot be reproduced
          is withdrawn (METHODOLOGY §9). JSON: <a href={`/v1/disputes/${dispute.id}`}>/v1/disputes/{dispute.id}</a>.
        </p>
      )}
      <DisputeThread dispute={dispute} replyForm />
    </Layout>
  );
}

export function disputePage(data: DisputeData, site: Site): string {
  return renderPage(<DisputePage data={data} site={site} />);
}
