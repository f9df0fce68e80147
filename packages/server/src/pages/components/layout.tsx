/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/**
 * The frame of every page: title, Open Graph and Twitter meta (so a shared link previews as a
 * card), the stylesheet and the navigation.
 */
import type { ComponentChildren } from 'preact';
import type { Site } from '../site.js';

export interface PageMeta {
  title: string;
  /** One or two sentences: the link preview's text. */
  description: string;
  /** Path of this page on the site (`/r/r_…`), for og:url and the canonical link. */
  path: string;
  /** Path of a 1200×630 image for the preview (`/r/<id>/card.png`); none: a text-only card. */
  image?: { path: string; alt: string };
  type?: 'website' | 'article';
}

const STYLE = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg2:#f6f8fa;--accent:#0969da;--warn:#9a6700;--bad:#cf222e;--good:#1a7f37}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:0 auto;padding:0 16px 48px;color:var(--fg)}
a{color:var(--accent)}
nav{display:flex;flex-wrap:wrap;gap:4px 16px;padding:12px 0;border-bottom:1px solid var(--line);margin-bottom:16px}
nav .brand{font-weight:700;color:var(--fg);text-decoration:none}
h1{font-size:1.6em;line-height:1.25;margin:.4em 0;overflow-wrap:anywhere}
h2{font-size:1.25em;margin:1.6em 0 .5em;border-bottom:1px solid var(--line);padding-bottom:.2em}
h3{font-size:1.05em;margin:1em 0 .4em}
small,.muted{color:var(--muted)}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:14px}
td,th{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--bg2);font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.mono,code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:13px;overflow-wrap:anywhere}
pre{background:var(--bg2);padding:8px 12px;border-radius:6px;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}
.flag{color:var(--warn);font-weight:600}
.not-comparable{color:var(--warn)}
.headline{border:1px solid var(--line);border-radius:10px;padding:16px;margin:8px 0 16px;background:var(--bg2)}
.headline .model{font-size:1.5em;font-weight:700;margin:0;overflow-wrap:anywhere}
.headline .setup{margin:4px 0;color:var(--muted);overflow-wrap:anywhere}
.figures{display:flex;flex-wrap:wrap;gap:8px 32px;margin:12px 0}
.figure .value{font-size:2.6em;font-weight:700;line-height:1.1;font-variant-numeric:tabular-nums}
.figure .unit{font-size:.45em;font-weight:600;color:var(--muted);margin-left:4px}
.figure .label{color:var(--muted);font-size:.9em}
.standing{margin:8px 0 0;font-size:1.05em}
.standing-context{margin:2px 0 8px}
.figure .spread{color:var(--muted);font-size:.85em}
.marks{color:var(--warn);margin:4px 0}
.ci{color:var(--muted);font-size:.85em}
.reproducibility.named{border-left:3px solid var(--warn);padding-left:8px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:16px}
.card{border:1px solid var(--line);border-radius:10px;padding:12px 16px;min-width:0}
.card h3{margin-top:0}
.card.wide{grid-column:1/-1}
.card table{width:100%}
.charts{display:flex;flex-wrap:wrap;gap:16px}
figure{margin:8px 0;flex:1 1 320px;max-width:560px;min-width:0}
figure svg{width:100%;height:auto;display:block;background:#fff;border:1px solid var(--line);border-radius:6px}
figcaption{font-size:13px;color:var(--muted)}
details{margin:1em 0;border:1px solid var(--line);border-radius:8px;padding:8px 12px}
summary{cursor:pointer;font-weight:600}
form.dispute textarea{width:100%;min-height:6em;font:inherit}
form.dispute button,form.filters button{font:inherit;padding:4px 14px}
form.filters{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:end;margin:8px 0 16px}
form.filters label{display:flex;flex-direction:column;font-size:13px;color:var(--muted)}
form.filters select{font:inherit}
blockquote{margin:8px 0;padding:4px 12px;border-left:3px solid var(--line)}
.better{color:var(--good)}.worse{color:var(--bad)}.noise{color:var(--muted)}
.notice{border:1px solid var(--warn);background:#fff8c5;padding:8px 12px;border-radius:6px}
@media (max-width:480px){body{font-size:14px;padding:0 10px 32px}.figure .value{font-size:2.1em}.cards{grid-template-columns:1fr}.opt{display:none}table{font-size:13px}td,th{padding:3px 5px}
table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}
table.stack{border:0}table.stack tr.head{display:none}
table.stack tr{border:1px solid var(--line);border-radius:8px;margin:0 0 8px;padding:4px 8px}
table.stack td{border:0;padding:1px 0;text-align:left;white-space:normal;overflow-wrap:anywhere}
table.stack td[data-label]::before{content:attr(data-label) ": ";color:var(--muted)}
table.stack td.opt{display:none}}
`;

export function Layout({ site, meta, children }: { site: Site; meta: PageMeta; children: ComponentChildren }) {
  const url = `${site.origin}${meta.path}`;
  const image = meta.image ? `${site.origin}${meta.image.path}` : undefined;
  const title = `${meta.title} · llm-speed`;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <meta name="description" content={meta.description} />
        <link rel="canonical" href={url} />
        <meta property="og:site_name" content="llm-speed" />
        <meta property="og:type" content={meta.type ?? 'website'} />
        <meta property="og:title" content={meta.title} />
        <meta property="og:description" content={meta.description} />
        <meta property="og:url" content={url} />
        {image && <meta property="og:image" content={image} />}
        {image && <meta property="og:image:type" content="image/png" />}
        {image && <meta property="og:image:width" content="1200" />}
        {image && <meta property="og:image:height" content="630" />}
        {image && <meta property="og:image:alt" content={meta.image!.alt} />}
        <meta name="twitter:card" content={image ? 'summary_large_image' : 'summary'} />
        <meta name="twitter:title" content={meta.title} />
        <meta name="twitter:description" content={meta.description} />
        {image && <meta name="twitter:image" content={image} />}
        {image && <meta name="twitter:image:alt" content={meta.image!.alt} />}
        <style dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>
        <nav>
          <a class="brand" href="/cheatsheet">
            llm-speed
          </a>
          <a href="/cheatsheet">Cheatsheet</a>
          <a href="/ranking">How runs are ranked</a>
          <a href="/privacy.json">privacy.json</a>
        </nav>
        <main>{children}</main>
      </body>
    </html>
  );
}
