/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/** Dispute threads and the forms that open and answer them: plain HTML POSTs, no script. */
import type { Dispute } from '../../repository.js';
import { readableTime } from '../format.js';

export const MESSAGE_MAX_CHARS = 5000;

export function Time({ iso }: { iso: string }) {
  return <time datetime={iso}>{readableTime(iso)}</time>;
}

function MessageForm({ action, label, button }: { action: string; label: string; button: string }) {
  return (
    <form class="dispute" method="post" action={action} enctype="application/x-www-form-urlencoded">
      <label>
        {label}
        <textarea name="message" required maxLength={MESSAGE_MAX_CHARS} />
      </label>
      <button type="submit">{button}</button>
    </form>
  );
}

export function DisputeThread({ dispute, link = false, replyForm = false }: { dispute: Dispute; link?: boolean; replyForm?: boolean }) {
  return (
    <article class="dispute-thread" id={`dispute-${dispute.id}`}>
      <h3>
        {link ? <a href={`/disputes/${dispute.id}`}>Dispute #{dispute.id}</a> : <>Dispute #{dispute.id}</>}{' '}
        <small>
          opened <Time iso={dispute.openedAt} />
        </small>
      </h3>
      {dispute.messages.map((m, i) => (
        <blockquote id={`m-${m.id}`}>
          <small>
            {i === 0 ? 'Opened' : 'Reply'} · <Time iso={m.postedAt} />
          </small>
          <p class="message-body">{m.body}</p>
        </blockquote>
      ))}
      {replyForm ? <MessageForm action={`/v1/disputes/${dispute.id}/messages`} label="Reply (public, at most 5000 characters)" button="Post reply" /> : null}
    </article>
  );
}

/** The run page's part: its threads (linked) and the form that opens a new one. */
export function RunDisputes({ id, disputes }: { id: string; disputes: Dispute[] }) {
  return (
    <section id="dispute">
      <h2>Disputes</h2>
      {disputes.length === 0 ? <p>No one has disputed this result.</p> : disputes.map((d) => <DisputeThread dispute={d} link />)}
      <p>Think a figure is wrong? Say which one and why. The thread is public; the submitter is invited to reproduce, and a result that cannot be reproduced is withdrawn (METHODOLOGY §9).</p>
      <MessageForm action={`/v1/results/${id}/disputes`} label="Open a dispute (public, at most 5000 characters)" button="Open dispute" />
    </section>
  );
}
