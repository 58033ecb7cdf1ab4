/// The console's mustache templates, compiled into the binary. Pages extend `layout`
/// (`{{<layout}}{{$content}}…{{/content}}{{/layout}}`); every `{{name}}` is HTML-escaped, and
/// `{{{name}}}` is used only for charts (``SVGMarkup``), which escape their own text.
enum ConsoleTemplates {
    static let all: [String: String] = [
        "layout": layout, "sign-in": signIn, "error": error, "keys": keys, "key": key, "credit-form": creditForm, "key-limits": keyLimits,
        "credits": credits, "usage": usage, "miners": miners, "miner": miner, "traffic": traffic, "traffic-live": trafficLive,
        "payments": payments,
    ]

    static let layout = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{title}} · Organic console</title>
    <link rel="stylesheet" href="/console/assets/console.css?v={{assetVersion}}">
    <script src="/console/assets/console.js?v={{assetVersion}}" defer></script>
    </head>
    <body>
    <a class="skip" href="#main">Skip to main content</a>
    <header class="top">
    <span class="brand">Organic console</span>
    {{#signedIn}}
    <nav aria-label="Console sections"><ul>
    {{#nav}}<li><a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a></li>{{/nav}}
    </ul></nav>
    <form class="sign-out" method="post" action="/console/sign-out">
    <input type="hidden" name="_csrf" value="{{csrf}}">
    <button type="submit" class="secondary">Sign out</button>
    </form>
    {{/signedIn}}
    </header>
    <main id="main" tabindex="-1">
    {{#flash}}
    <div class="flash flash-{{kind}}" role="{{role}}" id="flash">{{message}}</div>
    {{/flash}}
    {{$content}}{{/content}}
    </main>
    <footer>Organic node console · admin listener</footer>
    </body>
    </html>
    """

    static let signIn = """
    {{<layout}}{{$content}}
    <section class="panel sign-in" aria-labelledby="sign-in-h">
    <h1 id="sign-in-h">Sign in</h1>
    {{#body}}
    {{#problem}}<p class="flash flash-error" role="alert" id="sign-in-error">{{problem}}</p>{{/problem}}
    <form method="post" action="/console/sign-in" class="stack" id="sign-in-form">
    <div class="field"><label for="token">Admin token</label>
    <input type="password" id="token" name="token" required autocomplete="current-password" autofocus aria-describedby="token-hint">
    <span id="token-hint" class="hint">The node's <code>admin.token</code>. The session lasts {{idleMinutes}} idle minutes, at most {{maxHours}} hours.</span></div>
    <button type="submit">Sign in</button>
    </form>
    {{/body}}
    </section>
    {{/content}}{{/layout}}
    """

    static let error = """
    {{<layout}}{{$content}}{{#body}}
    <section class="panel" aria-labelledby="error-h">
    <h1 id="error-h">{{heading}}</h1>
    <p role="alert" id="error-message">{{message}}</p>
    <p class="muted">Status {{status}} · error code <code id="error-code">{{code}}</code></p>
    <p><a href="{{back}}">{{backLabel}}</a></p>
    </section>
    {{/body}}{{/content}}{{/layout}}
    """

    static let keys = """
    {{<layout}}{{$content}}{{#body}}
    <h1>API keys</h1>
    <section class="panel" aria-labelledby="search-h">
    <h2 id="search-h">Find keys</h2>
    <form method="get" action="/console/keys" role="search" class="inline">
    <div class="field"><label for="q">Name, owner, id or prefix</label>
    <input type="search" id="q" name="q" value="{{query}}" maxlength="200"></div>
    <div class="field"><label for="state">State</label>
    <select id="state" name="state">{{#states}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/states}}</select></div>
    <button type="submit">Search</button>
    </form>
    </section>
    <section class="panel" aria-labelledby="list-h">
    <h2 id="list-h">Keys <span class="muted">({{shown}} shown of {{matching}} matching, {{total}} in all)</span></h2>
    {{#hasKeys}}
    <div class="table-wrap" role="region" aria-labelledby="list-h" tabindex="0">
    <table id="keys-table">
    <thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Owner</th><th scope="col">Prefix</th><th scope="col">State</th>
    <th scope="col" class="num">Balance</th><th scope="col">Scopes</th><th scope="col">Limits</th><th scope="col">Expires</th><th scope="col">Last used</th></tr></thead>
    <tbody>
    {{#keys}}<tr data-key-id="{{id}}"><td><a href="{{href}}">{{name}}</a></td><td><code>{{id}}</code></td><td>{{owner}}</td><td><code>{{prefix}}</code></td>
    <td class="state-{{state}}">{{state}}</td><td class="num">{{balance}}</td><td>{{scopes}}</td><td>{{limits}}</td><td>{{expires}}</td><td>{{lastUsed}}</td></tr>
    {{/keys}}
    </tbody>
    </table>
    </div>
    {{/hasKeys}}
    {{^hasKeys}}<p id="no-keys">No key matches.</p>{{/hasKeys}}
    </section>
    <section class="panel" aria-labelledby="create-h">
    <h2 id="create-h">Create a key</h2>
    <form method="post" action="/console/keys" class="stack" id="create-key">
    <input type="hidden" name="_csrf" value="{{csrf}}">
    <div class="field"><label for="name">Name</label><input type="text" id="name" name="name" required maxlength="200"></div>
    <div class="field"><label for="owner">Owner (optional)</label><input type="text" id="owner" name="owner" maxlength="200"></div>
    <div class="field"><label for="credits">Initial credits</label><input type="number" id="credits" name="credits" min="0" step="0.001" value="0"></div>
    <div><label><input type="checkbox" id="unlimited" name="unlimited" value="1"> Unlimited: never charged (usage is still logged)</label></div>
    {{#limitsForm}}{{>key-limits}}{{/limitsForm}}
    <div class="field"><label for="expires_in_days">Expires in (days)</label>
    <input type="number" id="expires_in_days" name="expires_in_days" min="0" step="any" aria-describedby="expires-hint">
    <span id="expires-hint" class="hint">Empty: never expires.</span></div>
    <button type="submit">Create key</button>
    </form>
    </section>
    {{/body}}{{/content}}{{/layout}}
    """

    /// Scopes, rate limits, concurrency and refill: the settings create and change share.
    static let keyLimits = """
    <fieldset><legend>Scopes (none checked: every endpoint)</legend>
    {{#endpoints}}<label><input type="checkbox" name="scopes" value="{{name}}"{{#checked}} checked{{/checked}}> {{name}}</label> {{/endpoints}}
    </fieldset>
    <div class="field"><label for="rate_limits">Rate limits</label>
    <input type="text" id="rate_limits" name="rate_limits" value="{{rateLimits}}" placeholder="10/s, 1000/day, text-to-image:1/s" aria-describedby="limits-hint">
    <span id="limits-hint" class="hint">Comma separated, such as 10/s, 60/min, 1000/day or endpoint:5/s. Empty: no limit.</span></div>
    <div class="field"><label for="max_concurrent">Concurrent requests at most</label>
    <input type="number" id="max_concurrent" name="max_concurrent" min="0" max="100000" value="{{maxConcurrent}}" aria-describedby="concurrent-hint">
    <span id="concurrent-hint" class="hint">Empty or 0: no limit.</span></div>
    <div class="field"><label for="tier">Tier</label>
    <select id="tier" name="tier" aria-describedby="tier-hint">{{#tiers}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/tiers}}</select>
    <span id="tier-hint" class="hint">The key's weight in each endpoint's queue (dispatch.queues.tierWeights).</span></div>
    <fieldset><legend>Automatic refill</legend>
    <div class="inline">
    <div class="field"><label for="refill_amount">Top the balance up to (credits)</label>
    <input type="number" id="refill_amount" name="refill_amount" min="0" step="0.001" value="{{refillAmount}}"></div>
    <div class="field"><label for="refill_period">at the start of each</label>
    <select id="refill_period" name="refill_period">{{#refillPeriods}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/refillPeriods}}</select></div>
    </div>
    <span class="hint">Empty or 0: no refill.</span>
    </fieldset>
    """

    static let key = """
    {{<layout}}{{$content}}{{#body}}
    <p><a href="/console/keys">← All keys</a></p>
    <h1>Key “{{name}}”</h1>
    {{#secret}}
    <section class="panel" aria-labelledby="secret-h" id="secret-panel">
    <h2 id="secret-h">{{heading}}</h2>
    <p>Copy it now: it is shown only this once, and the node keeps only its hash.</p>
    <div class="secret"><code id="new-secret">{{value}}</code>
    <button type="button" data-copy="new-secret" hidden>Copy</button>
    <span id="new-secret-status" role="status"></span></div>
    </section>
    {{/secret}}
    <div class="grid2">
    <section class="panel" aria-labelledby="facts-h">
    <h2 id="facts-h">Settings</h2>
    <dl class="facts">
    <dt>Id</dt><dd><code id="key-id">{{id}}</code></dd>
    <dt>Prefix</dt><dd><code>{{prefix}}</code></dd>
    <dt>State</dt><dd class="state-{{state}}" id="key-state">{{state}}</dd>
    <dt>Owner</dt><dd>{{owner}}</dd>
    <dt>Created</dt><dd>{{created}}</dd>
    <dt>Last used</dt><dd>{{lastUsed}}</dd>
    <dt>Expires</dt><dd>{{expires}}</dd>
    <dt>Scopes</dt><dd>{{scopes}}</dd>
    <dt>Rate limits</dt><dd>{{limits}}</dd>
    <dt>Concurrency</dt><dd>{{concurrency}}</dd>
    <dt>Refill</dt><dd>{{refill}}</dd>
    <dt>Tier</dt><dd id="key-tier">{{tier}}</dd>
    </dl>
    </section>
    <section class="panel" aria-labelledby="balance-h">
    <h2 id="balance-h">Balance</h2>
    <p class="big"><span id="balance">{{balance}}</span> credits</p>
    {{#held}}<p id="held">Of which {{held}} held by requests in flight.</p>{{/held}}
    {{#unlimited}}<p>Unlimited: requests are never charged.</p>{{/unlimited}}
    {{^revoked}}{{>credit-form}}{{/revoked}}
    </section>
    </div>
    <section class="panel" aria-labelledby="usage-h">
    <h2 id="usage-h">Usage, last {{usageDays}} days</h2>
    <div class="charts">
    <figure><figcaption>Requests per day</figcaption>{{{requestsChart}}}</figure>
    <figure><figcaption>Credits charged per day</figcaption>{{{creditsChart}}}</figure>
    </div>
    {{#hasUsage}}
    <div class="table-wrap" role="region" aria-label="Usage by day and endpoint" tabindex="0">
    <table><thead><tr><th scope="col">Day</th><th scope="col">Endpoint</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Errors</th>
    <th scope="col" class="num">Credits</th><th scope="col" class="num">Mean latency</th></tr></thead>
    <tbody>{{#usage}}<tr><td>{{day}}</td><td>{{endpoint}}</td><td class="num">{{requests}}</td><td class="num">{{errors}}</td><td class="num">{{credits}}</td><td class="num">{{latency}}</td></tr>{{/usage}}</tbody></table>
    </div>
    {{/hasUsage}}
    </section>
    <section class="panel" aria-labelledby="ledger-h">
    <h2 id="ledger-h">Ledger <span class="muted">(latest {{ledgerLimit}})</span></h2>
    <div class="table-wrap" role="region" aria-labelledby="ledger-h" tabindex="0">
    <table id="ledger"><thead><tr><th scope="col">When</th><th scope="col">Kind</th><th scope="col" class="num">Credits</th><th scope="col">Endpoint</th>
    <th scope="col">By</th><th scope="col">Why</th></tr></thead>
    <tbody>{{#ledger}}<tr data-kind="{{kind}}"><td>{{time}}</td><td>{{kind}}</td><td class="num{{#negative}} negative{{/negative}}">{{amount}}</td><td>{{endpoint}}</td>
    <td class="actor">{{actor}}</td><td class="note">{{note}}</td></tr>{{/ledger}}</tbody></table>
    </div>
    </section>
    {{^revoked}}
    <section class="panel" aria-labelledby="change-h">
    <h2 id="change-h">Change settings</h2>
    <form method="post" action="{{href}}/settings" class="stack" id="settings-form">
    <input type="hidden" name="_csrf" value="{{csrf}}">
    <div class="field"><label for="name">Name</label><input type="text" id="name" name="name" required maxlength="200" value="{{name}}"></div>
    <div class="field"><label for="owner">Owner</label><input type="text" id="owner" name="owner" maxlength="200" value="{{owner}}"></div>
    <div><label><input type="checkbox" id="enabled" name="enabled" value="1"{{#enabled}} checked{{/enabled}}> Enabled (a disabled key is refused until enabled again)</label></div>
    <div><label><input type="checkbox" id="unlimited" name="unlimited" value="1"{{#unlimited}} checked{{/unlimited}}> Unlimited: never charged</label></div>
    {{#limitsForm}}{{>key-limits}}{{/limitsForm}}
    <div class="field"><label for="expires_in_days">Expires in (days from now)</label>
    <input type="number" id="expires_in_days" name="expires_in_days" min="0" step="any" aria-describedby="expires-hint">
    <span id="expires-hint" class="hint">Empty: keep ({{expires}}); 0: never expires.</span></div>
    <button type="submit">Save settings</button>
    </form>
    </section>
    <section class="panel" aria-labelledby="danger-h">
    <h2 id="danger-h">Secret and revocation</h2>
    <form method="post" action="{{href}}/rotate" class="inline" id="rotate-form" data-confirm="Rotate this key? The current secret stops working at once.">
    <input type="hidden" name="_csrf" value="{{csrf}}">
    <button type="submit" class="secondary">Rotate secret</button>
    </form>
    <form method="post" action="{{href}}/revoke" class="inline" id="revoke-form" data-confirm="Revoke this key for good? It cannot be undone.">
    <input type="hidden" name="_csrf" value="{{csrf}}">
    <button type="submit" class="danger">Revoke key</button>
    </form>
    <p class="hint">Rotating issues a new secret (shown once) and keeps settings and balance. Revoking is final.</p>
    </section>
    {{/revoked}}
    {{/body}}{{/content}}{{/layout}}
    """

    /// Top up, refund or adjust; on a key's page the key is fixed, on Credits it is chosen.
    static let creditForm = """
    <form method="post" action="{{creditAction}}" class="stack" id="credit-form">
    <input type="hidden" name="_csrf" value="{{csrf}}">
    {{#chooseKey}}
    <div class="field"><label for="key">Key</label>
    <select id="key" name="key" required>{{#keyChoices}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/keyChoices}}</select></div>
    {{/chooseKey}}
    <fieldset><legend>Operation</legend>
    <label><input type="radio" name="operation" value="top_up" checked> Top up</label>
    <label><input type="radio" name="operation" value="refund"> Refund</label>
    <label><input type="radio" name="operation" value="adjust"> Adjust (+ or −)</label>
    </fieldset>
    <div class="field"><label for="amount">Credits</label>
    <input type="number" id="amount" name="amount" step="0.001" required aria-describedby="amount-hint">
    <span id="amount-hint" class="hint">Top up and refund add credits; an adjustment may be negative (never below zero).</span></div>
    <div class="field"><label for="reason">Reason</label>
    <input type="text" id="reason" name="reason" required maxlength="1000" aria-describedby="reason-hint">
    <span id="reason-hint" class="hint">Kept on the ledger line with who made it (console).</span></div>
    <button type="submit">Record</button>
    </form>
    """

    static let credits = """
    {{<layout}}{{$content}}{{#body}}
    <h1>Credits</h1>
    <div class="grid2">
    <section class="panel" aria-labelledby="credit-h">
    <h2 id="credit-h">Top up, refund or adjust</h2>
    {{#hasChoices}}{{>credit-form}}{{/hasChoices}}
    {{^hasChoices}}<p>No active key to credit. <a href="/console/keys">Create one.</a></p>{{/hasChoices}}
    </section>
    <section class="panel" aria-labelledby="totals-h">
    <h2 id="totals-h">Balances</h2>
    <dl class="facts">
    <dt>Keys</dt><dd>{{keyCount}}</dd>
    <dt>Credits held by all keys</dt><dd>{{totalBalance}}</dd>
    <dt>Unlimited keys</dt><dd>{{unlimitedCount}}</dd>
    </dl>
    </section>
    </div>
    <section class="panel" aria-labelledby="recent-h">
    <h2 id="recent-h">Recent operator entries</h2>
    <p class="hint">Grants, refunds, adjustments and payments of the {{scannedKeys}} most recently created keys, newest first.</p>
    <div class="table-wrap" role="region" aria-labelledby="recent-h" tabindex="0">
    <table id="operator-ledger"><thead><tr><th scope="col">When</th><th scope="col">Key</th><th scope="col">Kind</th><th scope="col" class="num">Credits</th>
    <th scope="col">By</th><th scope="col">Why</th></tr></thead>
    <tbody>{{#entries}}<tr><td>{{time}}</td><td><a href="{{keyHref}}">{{keyName}}</a></td><td>{{kind}}</td><td class="num{{#negative}} negative{{/negative}}">{{amount}}</td>
    <td>{{actor}}</td><td>{{note}}</td></tr>{{/entries}}</tbody></table>
    </div>
    {{^entries}}<p>None yet.</p>{{/entries}}
    </section>
    {{/body}}{{/content}}{{/layout}}
    """

    static let usage = """
    {{<layout}}{{$content}}{{#body}}
    <h1>Usage</h1>
    <form method="get" action="/console/usage" class="inline">
    <div class="field"><label for="days">Period</label>
    <select id="days" name="days">{{#dayChoices}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/dayChoices}}</select></div>
    <button type="submit">Show</button>
    </form>
    <p class="hint">{{requests}} requests, {{errors}} errors, {{credits}} credits charged over {{days}} days ({{keyCount}} keys{{#truncated}}; only the {{keyCount}} most recently created keys are counted{{/truncated}}).</p>
    <section class="panel" aria-labelledby="daily-h">
    <h2 id="daily-h">Per day</h2>
    <div class="charts">
    <figure><figcaption>Requests per day, by endpoint</figcaption>{{{requestsChart}}}</figure>
    <figure><figcaption>Errors per day, by endpoint</figcaption>{{{errorsChart}}}</figure>
    <figure><figcaption>Credits charged per day, by endpoint</figcaption>{{{creditsChart}}}</figure>
    </div>
    </section>
    <section class="panel" aria-labelledby="bykey-h">
    <h2 id="bykey-h">Per key</h2>
    <figure><figcaption>Requests by key (top {{topCount}})</figcaption>{{{keysChart}}}</figure>
    <div class="table-wrap" role="region" aria-labelledby="bykey-h" tabindex="0">
    <table id="usage-by-key"><thead><tr><th scope="col">Key</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Errors</th>
    <th scope="col" class="num">Error rate</th><th scope="col" class="num">Credits</th></tr></thead>
    <tbody>{{#byKey}}<tr><td><a href="{{href}}">{{label}}</a></td><td class="num">{{requests}}</td><td class="num">{{errors}}</td><td class="num">{{errorRate}}</td><td class="num">{{credits}}</td></tr>{{/byKey}}</tbody></table>
    </div>
    </section>
    <section class="panel" aria-labelledby="byendpoint-h">
    <h2 id="byendpoint-h">Per endpoint</h2>
    <figure><figcaption>Requests by endpoint</figcaption>{{{endpointsChart}}}</figure>
    <div class="table-wrap" role="region" aria-labelledby="byendpoint-h" tabindex="0">
    <table id="usage-by-endpoint"><thead><tr><th scope="col">Endpoint</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Errors</th>
    <th scope="col" class="num">Error rate</th><th scope="col" class="num">Credits</th></tr></thead>
    <tbody>{{#byEndpoint}}<tr><td>{{label}}</td><td class="num">{{requests}}</td><td class="num">{{errors}}</td><td class="num">{{errorRate}}</td><td class="num">{{credits}}</td></tr>{{/byEndpoint}}</tbody></table>
    </div>
    </section>
    {{/body}}{{/content}}{{/layout}}
    """

    static let miners = """
    {{<layout}}{{$content}}{{#body}}
    <h1>Miners{{#subnet}} · {{subnet}}{{/subnet}}</h1>
    {{#hasSubnetChoices}}
    <form method="get" action="/console/miners" class="inline">
    <div class="field"><label for="subnet">Subnet</label>
    <select id="subnet" name="subnet">{{#subnetChoices}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/subnetChoices}}</select></div>
    <button type="submit">Show</button>
    </form>
    {{/hasSubnetChoices}}
    <p class="hint">{{periodSummary}}</p>
    <section class="panel" aria-labelledby="table-h">
    <h2 id="table-h">Scores, weights and state</h2>
    <div class="table-wrap" role="region" aria-labelledby="table-h" tabindex="0">
    <table id="miners-table"><thead><tr><th scope="col" class="num">UID</th><th scope="col">Hotkey</th><th scope="col">State</th>
    <th scope="col" class="num">In flight / capacity</th>{{#endpointNames}}<th scope="col" class="num">{{.}}</th>{{/endpointNames}}
    <th scope="col" class="num">Score</th><th scope="col" class="num">Weight</th><th scope="col" class="num">Weight (u16)</th></tr></thead>
    <tbody>{{#rows}}<tr><td class="num">{{uid}}</td><td><a href="{{href}}" title="{{hotkey}}">{{hotkeyShort}}</a>{{^inMetagraph}} <span class="muted">(left)</span>{{/inMetagraph}}</td>
    <td class="state-{{state}}">{{stateLabel}}</td><td class="num">{{load}}</td>{{#endpointScores}}<td class="num">{{.}}</td>{{/endpointScores}}
    <td class="num">{{score}}</td><td class="num">{{weight}}</td><td class="num">{{weightU16}}</td></tr>{{/rows}}</tbody></table>
    </div>
    {{^rows}}<p>No miner known yet.</p>{{/rows}}
    </section>
    <section class="panel" aria-labelledby="charts-h">
    <h2 id="charts-h">Charts</h2>
    <div class="charts">
    <figure><figcaption>Normalised weight by miner</figcaption>{{{weightsChart}}}</figure>
    {{#historyCharts}}<figure><figcaption>{{caption}}</figcaption>{{{chart}}}</figure>{{/historyCharts}}
    </div>
    </section>
    {{/body}}{{/content}}{{/layout}}
    """

    static let miner = """
    {{<layout}}{{$content}}{{#body}}
    <p><a href="{{backHref}}">← All miners</a></p>
    <h1>Miner {{uid}}</h1>
    <p><code>{{hotkey}}</code></p>
    <div class="grid2">
    <section class="panel" aria-labelledby="state-h">
    <h2 id="state-h">State</h2>
    <dl class="facts">
    <dt>State</dt><dd class="state-{{state}}">{{stateLabel}}</dd>
    <dt>Address</dt><dd>{{url}}</dd>
    <dt>In flight</dt><dd>{{inFlight}}</dd>
    <dt>Consecutive failures</dt><dd>{{consecutiveFailures}}</dd>
    <dt>Successes / failures</dt><dd>{{successes}} / {{failures}}</dd>
    <dt>Recent score (selection)</dt><dd>{{recentScore}}</dd>
    <dt>Score</dt><dd>{{score}}</dd>
    <dt>Weight</dt><dd>{{weight}} normalised, {{weightU16}} as u16</dd>
    </dl>
    </section>
    <section class="panel" aria-labelledby="cap-h">
    <h2 id="cap-h">Capacity per endpoint</h2>
    <div class="table-wrap" role="region" aria-labelledby="cap-h" tabindex="0">
    <table><thead><tr><th scope="col">Endpoint</th><th scope="col" class="num">In flight</th><th scope="col" class="num">Capacity</th><th scope="col">From</th><th scope="col" class="num">Declared</th></tr></thead>
    <tbody>{{#capacities}}<tr><td>{{endpoint}}</td><td class="num">{{inFlight}}</td><td class="num">{{capacity}}</td><td>{{source}}</td><td class="num">{{declared}}</td></tr>{{/capacities}}</tbody></table>
    </div>
    </section>
    </div>
    <section class="panel" aria-labelledby="standing-h">
    <h2 id="standing-h">Score per endpoint</h2>
    <div class="table-wrap" role="region" aria-labelledby="standing-h" tabindex="0">
    <table><thead><tr><th scope="col">Endpoint</th><th scope="col" class="num">Share</th><th scope="col" class="num">Score</th><th scope="col" class="num">Periods kept</th>
    <th scope="col" class="num">Latest period</th><th scope="col" class="num">Open period</th><th scope="col" class="num">Rounds (open)</th></tr></thead>
    <tbody>{{#standings}}<tr><td>{{endpoint}}</td><td class="num">{{share}}</td><td class="num">{{score}}</td><td class="num">{{periodsKept}}</td>
    <td class="num">{{latest}}</td><td class="num">{{current}}</td><td class="num">{{rounds}}</td></tr>{{/standings}}</tbody></table>
    </div>
    </section>
    <section class="panel" aria-labelledby="history-h">
    <h2 id="history-h">History</h2>
    <div class="charts">
    <figure id="period-chart"><figcaption>Period means (the last {{periodsKept}} periods and the open one)</figcaption>{{{periodChart}}}</figure>
    <figure id="rounds-chart"><figcaption>Score in its latest rounds</figcaption>{{{roundsChart}}}</figure>
    </div>
    </section>
    <section class="panel" aria-labelledby="rounds-h">
    <h2 id="rounds-h">Recent rounds</h2>
    <div class="table-wrap" role="region" aria-labelledby="rounds-h" tabindex="0">
    <table id="rounds"><thead><tr><th scope="col">When</th><th scope="col">Endpoint</th><th scope="col">Traffic</th><th scope="col">Verdict</th><th scope="col">Role</th>
    <th scope="col">Outcome</th><th scope="col" class="num">Score</th><th scope="col">Reason</th><th scope="col" class="num">Latency</th></tr></thead>
    <tbody>{{#rounds}}<tr><td>{{time}}</td><td>{{endpoint}}</td><td>{{traffic}}</td><td>{{verdict}}</td><td>{{role}}</td><td>{{outcome}}</td>
    <td class="num">{{score}}</td><td>{{reason}}</td><td class="num">{{latency}}</td></tr>{{/rounds}}</tbody></table>
    </div>
    {{^rounds}}<p>No recent round.</p>{{/rounds}}
    </section>
    {{/body}}{{/content}}{{/layout}}
    """

    static let traffic = """
    {{<layout}}{{$content}}{{#body}}
    <h1>Queues and traffic</h1>
    <div class="live-status">
    <button type="button" id="live-toggle" class="secondary" aria-pressed="false" aria-controls="live" hidden>Pause updates</button>
    <span id="live-status" role="status">Refreshes every {{refreshSeconds}} seconds.</span>
    </div>
    <div id="live" data-live-src="/console/traffic/live" data-live-seconds="{{refreshSeconds}}" data-refreshed="0">
    {{>traffic-live}}
    </div>
    {{/body}}{{/content}}{{/layout}}
    """

    /// The part of the traffic page that refreshes (also served alone at `/console/traffic/live`).
    static let trafficLive = """
    <p class="hint" id="live-time">As of {{time}}.</p>
    <section class="panel" aria-labelledby="now-h">
    <h2 id="now-h">Load</h2>
    <figure><figcaption>Requests waiting and in flight, the last {{sampleCount}} refreshes</figcaption>{{{liveChart}}}</figure>
    </section>
    <section class="panel" aria-labelledby="queues-h">
    <h2 id="queues-h">Queues</h2>
    <div class="table-wrap" role="region" aria-labelledby="queues-h" tabindex="0">
    <table id="queues"><thead><tr><th scope="col">Endpoint</th><th scope="col" class="num">Waiting (organic / synthetic)</th><th scope="col" class="num">Keys waiting</th>
    <th scope="col" class="num">Admitted</th><th scope="col" class="num">Waited</th><th scope="col" class="num">Mean wait</th><th scope="col" class="num">Max wait</th>
    <th scope="col" class="num">Shed</th><th scope="col" class="num">Shed rate</th><th scope="col" class="num">Left while waiting</th><th scope="col" class="num">Mean service</th></tr></thead>
    <tbody>{{#queues}}<tr><td>{{endpoint}}</td><td class="num">{{queued}}</td><td class="num">{{flows}}</td><td class="num">{{admitted}}</td><td class="num">{{waited}}</td>
    <td class="num">{{meanWait}}</td><td class="num">{{maxWait}}</td><td class="num" title="{{shedDetail}}">{{shed}}</td><td class="num">{{shedRate}}</td>
    <td class="num">{{left}}</td><td class="num">{{meanService}}</td></tr>{{/queues}}</tbody></table>
    </div>
    {{^queues}}<p>No endpoint has had traffic yet.</p>{{/queues}}
    <p class="hint">Counts since the node started. Shed: refused because the queue was full, the deadline could not be met or the node was overloaded.</p>
    </section>
    <section class="panel" aria-labelledby="mix-h">
    <h2 id="mix-h">Organic and synthetic mix</h2>
    <p>Of the latest {{mixRounds}} scored rounds: <strong id="organic-share">{{organicShare}}</strong> organic, {{syntheticShare}} synthetic.</p>
    <figure><figcaption>Rounds by endpoint</figcaption>{{{mixChart}}}</figure>
    </section>
    <section class="panel" aria-labelledby="load-h">
    <h2 id="load-h">Miners' load</h2>
    <div class="table-wrap" role="region" aria-labelledby="load-h" tabindex="0">
    <table id="miner-load"><thead><tr><th scope="col" class="num">UID</th><th scope="col">Hotkey</th><th scope="col">State</th><th scope="col" class="num">In flight</th>
    <th scope="col">Load</th></tr></thead>
    <tbody>{{#miners}}<tr><td class="num">{{uid}}</td><td><a href="{{href}}">{{hotkeyShort}}</a></td><td class="state-{{state}}">{{stateLabel}}</td>
    <td class="num">{{inFlight}} / {{capacity}}</td><td><meter min="0" max="{{capacity}}" value="{{inFlight}}" aria-label="Load of miner {{uid}}">{{inFlight}} of {{capacity}}</meter></td></tr>{{/miners}}</tbody></table>
    </div>
    </section>
    """

    static let payments = """
    {{<layout}}{{$content}}{{#body}}
    <h1>Payments</h1>
    <p class="hint">{{summary}}</p>
    <section class="panel" aria-labelledby="payments-h">
    <h2 id="payments-h">Latest payments</h2>
    <div class="table-wrap" role="region" aria-labelledby="payments-h" tabindex="0">
    <table id="payments"><thead><tr><th scope="col">Received</th><th scope="col">Provider</th><th scope="col">Event</th><th scope="col">Key</th>
    <th scope="col" class="num">Credits</th><th scope="col" class="num">Paid</th><th scope="col">State</th></tr></thead>
    <tbody>{{#rows}}<tr><td>{{time}}</td><td>{{provider}}</td><td><code>{{eventID}}</code></td><td>{{#keyHref}}<a href="{{keyHref}}">{{keyID}}</a>{{/keyHref}}{{^keyHref}}{{keyID}}{{/keyHref}}</td>
    <td class="num">{{credits}}</td><td class="num">{{paid}}</td><td class="state-{{state}}">{{stateLabel}}</td></tr>{{/rows}}</tbody></table>
    </div>
    {{^rows}}<p>No payment received yet.</p>{{/rows}}
    </section>
    {{/body}}{{/content}}{{/layout}}
    """
}
