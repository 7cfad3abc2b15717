/** The frame every page shares: head, inline CSS, navigation and the sign-out form. */
import type { UserRef } from '../../users.js';
import { type HtmlValue, html, SafeHtml } from './safe-html.js';

export interface PageContext {
  user: UserRef | null;
  /** Token for this page's forms (validated against the CSRF cookie on POST). */
  csrf: string;
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2933;background:#f5f7fa}
header{background:#fff;border-bottom:1px solid #e4e7eb}
header .bar{max-width:960px;margin:0 auto;padding:12px 20px;display:flex;align-items:center;gap:18px;flex-wrap:wrap}
header .brand{font-weight:700;letter-spacing:.12em;color:#3454d1;text-decoration:none}
header nav{display:flex;gap:14px;flex:1;flex-wrap:wrap}
header nav a{color:#52606d;text-decoration:none}header nav a:hover{color:#1f2933}
main{max-width:960px;margin:24px auto;padding:0 20px}
h1{font-size:24px;margin:0 0 16px}h2{font-size:18px;margin:28px 0 10px}
.card{background:#fff;border:1px solid #e4e7eb;border-radius:8px;padding:18px 20px;margin-bottom:16px}
table{width:100%;border-collapse:collapse;background:#fff}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid #e4e7eb;vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:#7b8794}
label{display:block;font-weight:600;margin:12px 0 4px}
input[type=text],input[type=email],input[type=number],select,textarea{width:100%;max-width:420px;padding:8px 10px;border:1px solid #cbd2d9;border-radius:6px;font:inherit}
textarea{min-height:120px;max-width:100%}
button,.button{display:inline-block;padding:8px 14px;border-radius:6px;border:1px solid #3454d1;background:#3454d1;color:#fff;font:inherit;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#fff;color:#3454d1}
button.danger{background:#c62828;border-color:#c62828}
button.link{background:none;border:none;color:#52606d;padding:0}
form.inline{display:inline}
.actions{display:flex;gap:10px;flex-wrap:wrap;margin-top:14px}
.muted{color:#7b8794}.small{font-size:13px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}
.badge.active{background:#e3f9e5;color:#1f7a35}.badge.needs_reauth{background:#fff3c4;color:#8d6708}.badge.disabled{background:#e4e7eb;color:#52606d}.badge.syncing{background:#e0ecff;color:#1d4ed8}.nowrap{white-space:nowrap}
.notice{padding:10px 14px;border-radius:6px;margin-bottom:16px;background:#e8f0fe;color:#1c3d8f}
.error{padding:10px 14px;border-radius:6px;margin-bottom:16px;background:#fdecea;color:#8a1c1c}
.field-error{color:#8a1c1c;font-size:13px}
code.secret{display:block;padding:10px;background:#1f2933;color:#f5f7fa;border-radius:6px;word-break:break-all}
iframe.report{width:100%;height:80vh;border:1px solid #e4e7eb;border-radius:8px;background:#fff}
`;
const CSS_HTML = new SafeHtml(CSS);

function nav(ctx: PageContext): SafeHtml {
  if (!ctx.user) return html`<nav></nav>`;
  return html`<nav>
      <a href="/account">Accounts</a><a href="/cooling-off">Cooling off</a><a href="/report">Report</a><a href="/settings">Settings</a>
    </nav>
    <span class="muted small">${ctx.user.email}</span>
    <form class="inline" method="post" action="/logout"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button class="link" type="submit">Sign out</button></form>`;
}

export function page(ctx: PageContext, title: string, body: HtmlValue): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · Rapport</title>
<style>${CSS_HTML}</style>
</head>
<body>
<header><div class="bar"><a class="brand" href="/">RAPPORT</a>${nav(ctx)}</div></header>
<main>${body}</main>
</body>
</html>`.value;
}
