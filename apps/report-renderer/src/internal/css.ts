// The report's only stylesheet, inlined in every page. Light theme (charts are drawn on white),
// fluid down to a 320 px window, and a print layout.
export const REPORT_CSS = `
:root{color-scheme:light;--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--soft:#f6f8fa;--accent:#0969da;
--good:#1a7f37;--good-bg:#dafbe1;--bad:#cf222e;--bad-bg:#ffebe9;--neutral-bg:#fff8c5;--neutral:#7d4e00}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:#fff}
header,main,footer{max-width:980px;margin:0 auto;padding:0 16px}
header{padding-top:24px}
h1{font-size:1.6rem;margin:0 0 .25rem;overflow-wrap:anywhere}
h2{font-size:1.25rem;margin:2rem 0 .75rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;margin:1.25rem 0 .5rem}
p{margin:.5rem 0}
.meta{color:var(--muted);margin:0;overflow-wrap:anywhere}
code,.mono{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,monospace;font-size:.86em;overflow-wrap:anywhere}
pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:10px 12px;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}
nav.toc{margin:12px 0 0;font-size:.9rem}
nav.toc ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px 14px}
a{color:var(--accent)}
.verdict{border-radius:8px;padding:12px 14px;margin:12px 0;border:1px solid var(--line);font-size:1.05rem}
.verdict.better{background:var(--good-bg);border-color:#aceebb}
.verdict.worse{background:var(--bad-bg);border-color:#ffcecb}
.verdict.indistinguishable,.verdict.unavailable{background:var(--neutral-bg);border-color:#eedc82}
.alert{background:var(--bad-bg);border:1px solid #ffcecb;border-radius:8px;padding:10px 14px}
.warn{background:var(--neutral-bg);border:1px solid #eedc82;border-radius:8px;padding:10px 14px}
.shipped{border-radius:8px;padding:10px 14px;border:1px solid var(--line);background:var(--soft)}
.table-wrap{overflow-x:auto;margin:.5rem 0 1rem;border:1px solid var(--line);border-radius:6px}
.table-wrap:focus{outline:2px solid var(--accent)}
table{border-collapse:collapse;width:100%;font-size:.9rem}
caption{caption-side:top;text-align:left;font-weight:600;padding:8px 10px;background:var(--soft);border-bottom:1px solid var(--line)}
th,td{padding:5px 10px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}
thead th{background:#fff;font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.best td{background:#f0f7ff;font-weight:600}
tr.learned td{font-weight:600}
.state{display:inline-block;border-radius:10px;padding:0 7px;font-size:.8rem;border:1px solid var(--line)}
.state.pruned{background:#fff1d6;border-color:#f0c36d}
.state.failed{background:var(--bad-bg);border-color:#ffcecb}
.state.running{background:var(--soft)}
.bar{display:inline-block;height:.7em;background:#0072B2;border-radius:2px;vertical-align:middle}
figure.chart{margin:1rem 0 1.5rem;padding:0}
figure.chart .svg-wrap{overflow-x:auto}
figure.chart svg{display:block;max-width:100%;height:auto}
figcaption{color:var(--muted);font-size:.88rem;margin-top:.35rem}
figcaption strong{color:var(--fg)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:0 24px}
footer{color:var(--muted);font-size:.82rem;margin:2.5rem auto 2rem;border-top:1px solid var(--line);padding-top:10px}
.muted{color:var(--muted)}
.diff-a{background:var(--bad-bg)}
.diff-b{background:var(--good-bg)}
@media (max-width:600px){body{font-size:14px}h1{font-size:1.3rem}th,td{padding:4px 6px}}
@media print{
  body{font-size:11pt}
  nav.toc{display:none}
  header,main,footer{max-width:none;padding:0}
  h2{break-after:avoid}
  figure.chart,table,.verdict{break-inside:avoid}
  .table-wrap{overflow:visible;border:0}
  a{color:inherit;text-decoration:none}
  .verdict,.alert,tr.best td{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
`
  .trim()
  .replace(/\n/g, "");
