import Crypto
import Foundation

/// The console's stylesheet and script, compiled into the binary (no files to find at run
/// time, no CDN). Served at `/console/assets/<name>?v=<version>` with a long cache life; the
/// version changes with the content.
enum ConsoleAssets {
    struct Asset: Sendable {
        let contentType: String
        let body: String
    }

    static let all: [String: Asset] = [
        "console.css": Asset(contentType: "text/css; charset=utf-8", body: stylesheet),
        "console.js": Asset(contentType: "text/javascript; charset=utf-8", body: script),
    ]

    /// A short digest of every asset, so that a new binary's pages load its own assets.
    static let version: String = {
        let text = all.keys.sorted().compactMap { all[$0]?.body }.joined()
        return SHA256.hash(data: Data(text.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
    }()

    static let stylesheet = #"""
    :root {
      --bg: #f7f7f5; --panel: #ffffff; --text: #1d1f21; --muted: #5b6168; --line: #d9dcdf;
      --accent: #0b5cad; --accent-text: #ffffff; --ok: #1b7a3a; --warn: #9a5b00; --bad: #b3261e;
      --s0: #0b5cad; --s1: #c2410c; --s2: #15803d; --s3: #7e22ce; --s4: #b91c1c; --s5: #0e7490; --s6: #a16207; --s7: #4b5563;
      font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
      line-height: 1.45; color: var(--text); background: var(--bg);
    }
    @media (prefers-color-scheme: dark) {
      :root { --bg: #15171a; --panel: #1e2125; --text: #e6e8ea; --muted: #a3a9b0; --line: #363b41;
              --accent: #5aa2ee; --accent-text: #0b1320; --ok: #5fd08a; --warn: #f0b45a; --bad: #ff8a80;
              --s0: #5aa2ee; --s1: #fb923c; --s2: #4ade80; --s3: #c084fc; --s4: #f87171; --s5: #22d3ee; --s6: #facc15; --s7: #9ca3af; }
    }
    * { box-sizing: border-box; }
    body { margin: 0; }
    a { color: var(--accent); }
    :focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
    .skip { position: absolute; left: -999px; top: 0; background: var(--panel); padding: .5rem 1rem; z-index: 10; }
    .skip:focus { left: .5rem; }
    header.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.25rem; padding: .6rem 1rem;
                 background: var(--panel); border-bottom: 1px solid var(--line); }
    .brand { font-weight: 700; }
    header nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem .9rem; margin: 0; padding: 0; }
    header nav a { text-decoration: none; padding: .2rem .1rem; }
    header nav a[aria-current="page"] { font-weight: 700; border-bottom: 3px solid var(--accent); }
    .sign-out { margin-left: auto; }
    main { padding: 1rem; max-width: 1200px; margin: 0 auto; }
    main:focus { outline: none; }
    h1 { font-size: 1.5rem; margin: .25rem 0 1rem; }
    h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
    section.panel > h2:first-child { margin-top: 0; }
    section.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; margin: 0 0 1rem; }
    .muted, .hint { color: var(--muted); font-size: .9rem; }
    .flash { padding: .6rem .9rem; border-radius: 6px; margin-bottom: 1rem; border: 1px solid var(--line); background: var(--panel); }
    .flash-notice { border-left: 5px solid var(--ok); }
    .flash-error { border-left: 5px solid var(--bad); }
    .secret { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .5rem 0; }
    .secret code { font-size: 1rem; padding: .35rem .5rem; background: var(--bg); border: 1px dashed var(--line); word-break: break-all; }
    .table-wrap { overflow-x: auto; }
    table { border-collapse: collapse; width: 100%; font-size: .92rem; }
    th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
    th { font-weight: 600; white-space: nowrap; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    .state-active, .state-healthy, .state-credited { color: var(--ok); font-weight: 600; }
    .state-disabled, .state-cooling_down { color: var(--warn); font-weight: 600; }
    .state-revoked, .state-refused { color: var(--bad); font-weight: 600; }
    .negative { color: var(--bad); }
    form.stack { display: grid; grid-template-columns: minmax(0, 1fr); gap: .6rem; max-width: 36rem; }
    form.stack .field input, form.stack .field select { width: 100%; }
    .grid2 > *, .charts > * { min-width: 0; }
    form.stack > button { justify-self: start; }
    form.inline { display: inline-flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: .25rem .5rem .25rem 0; }
    .field { display: grid; gap: .2rem; }
    .field label, fieldset legend { font-weight: 600; }
    fieldset { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; margin: 0; }
    fieldset label { font-weight: 400; margin-right: .9rem; white-space: nowrap; }
    input[type=text], input[type=number], input[type=search], input[type=password], select, textarea {
      font: inherit; padding: .4rem .5rem; border: 1px solid var(--muted); border-radius: 4px; background: var(--panel); color: var(--text); max-width: 100%; }
    button { font: inherit; padding: .4rem .9rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent);
             color: var(--accent-text); cursor: pointer; }
    button.secondary { background: transparent; color: var(--accent); }
    button.danger { background: var(--bad); border-color: var(--bad); color: #fff; }
    .grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 18rem), 1fr)); gap: 1rem; }
    .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 30rem), 1fr)); gap: 1rem; }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem .9rem; margin: 0; }
    dl.facts dt { color: var(--muted); }
    dl.facts dd { margin: 0; word-break: break-word; }
    .big { font-size: 1.6rem; font-weight: 700; }
    figure { margin: 0 0 1rem; }
    figcaption { font-weight: 600; margin-bottom: .25rem; }
    svg.chart { width: 100%; height: auto; max-height: 320px; display: block; }
    svg.chart .grid { stroke: var(--line); stroke-width: 1; }
    svg.chart .frame { fill: none; stroke: var(--line); }
    svg.chart text { fill: var(--muted); font-size: 12px; }
    svg.chart .empty { font-size: 14px; }
    svg.chart .line { stroke-width: 2; fill: none; }
    svg.chart .legend-text { fill: var(--text); }
    .series-0 { stroke: var(--s0); fill: var(--s0); } .series-1 { stroke: var(--s1); fill: var(--s1); }
    .series-2 { stroke: var(--s2); fill: var(--s2); } .series-3 { stroke: var(--s3); fill: var(--s3); }
    .series-4 { stroke: var(--s4); fill: var(--s4); } .series-5 { stroke: var(--s5); fill: var(--s5); }
    .series-6 { stroke: var(--s6); fill: var(--s6); } .series-7 { stroke: var(--s7); fill: var(--s7); }
    svg.chart path.line { fill: none; }
    meter { width: 6rem; }
    .live-status { display: flex; gap: .75rem; align-items: center; flex-wrap: wrap; }
    footer { color: var(--muted); font-size: .8rem; text-align: center; padding: 1rem; }
    .sign-in { max-width: 26rem; margin: 3rem auto; }
    @media (max-width: 640px) {
      main { padding: .6rem; }
      h1 { font-size: 1.25rem; }
      .sign-out { margin-left: 0; }
      th, td { padding: .3rem .35rem; }
      dl.facts { grid-template-columns: 1fr; }
      dl.facts dd { margin-bottom: .35rem; }
    }
    """#

    static let script = #"""
    "use strict";
    (function () {
      // Copy buttons: data-copy names the element whose text is copied.
      document.querySelectorAll("button[data-copy]").forEach(function (button) {
        button.hidden = false;
        button.addEventListener("click", function () {
          var source = document.getElementById(button.getAttribute("data-copy"));
          var status = document.getElementById(button.getAttribute("data-copy") + "-status");
          if (!source) { return; }
          var text = source.textContent.trim();
          var done = function (message) { if (status) { status.textContent = message; } };
          if (navigator.clipboard && window.isSecureContext) {
            navigator.clipboard.writeText(text).then(function () { done("Copied."); }, function () { done("Copy failed: select the text and copy it."); });
          } else {
            var range = document.createRange();
            range.selectNodeContents(source);
            var selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            done(document.execCommand && document.execCommand("copy") ? "Copied." : "Selected: press Ctrl+C to copy.");
          }
        });
      });

      // Forms that change something irreversible ask first.
      document.querySelectorAll("form[data-confirm]").forEach(function (form) {
        form.addEventListener("submit", function (event) {
          if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
        });
      });

      // Live regions: data-live-src is fetched every data-live-seconds and replaces the content.
      document.querySelectorAll("[data-live-src]").forEach(function (region) {
        var source = region.getAttribute("data-live-src");
        var seconds = Math.max(1, parseInt(region.getAttribute("data-live-seconds") || "3", 10));
        var status = document.getElementById(region.id + "-status");
        var toggle = document.getElementById(region.id + "-toggle");
        var paused = false, busy = false;
        if (toggle) {
          toggle.hidden = false;
          toggle.addEventListener("click", function () {
            paused = !paused;
            toggle.textContent = paused ? "Resume updates" : "Pause updates";
            toggle.setAttribute("aria-pressed", paused ? "true" : "false");
          });
        }
        var refresh = function () {
          if (paused || busy || document.hidden) { return; }
          busy = true;
          fetch(source, { credentials: "same-origin", headers: { "Accept": "text/html" }, cache: "no-store" })
            .then(function (response) {
              if (response.redirected || response.status === 401 || response.status === 303) { window.location.reload(); return null; }
              if (!response.ok) { throw new Error("HTTP " + response.status); }
              return response.text();
            })
            .then(function (html) {
              if (html === null) { return; }
              region.innerHTML = html;
              region.setAttribute("data-refreshed", String((parseInt(region.getAttribute("data-refreshed") || "0", 10) + 1)));
              if (status) { status.textContent = "Updated " + new Date().toLocaleTimeString(); }
            })
            .catch(function (error) { if (status) { status.textContent = "Update failed (" + error.message + "); retrying."; } })
            .finally(function () { busy = false; });
        };
        window.setInterval(refresh, seconds * 1000);
      });
    })();
    """#
}
