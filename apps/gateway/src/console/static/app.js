// The Breakwater console: Preact + htm (no build step) over the gateway's own JSON API,
// uPlot for the charts, live through GET /v1/events. Signed in by an HttpOnly cookie;
// every change carries the session's CSRF token.
import { html, render, useEffect, useRef, useState } from "./preact.js";
import uPlot from "./uplot.js";

const RANGES = ["15m", "1h", "24h", "7d"];
let csrf = "";

class SignedOut extends Error {}

async function api(path, { method = "GET", body } = {}) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET") headers["x-csrf-token"] = csrf;
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const json = await response.json().catch(() => ({}));
  if (response.status === 401) throw new SignedOut(json.error?.message ?? "signed out");
  if (!response.ok) throw new Error(json.error?.message ?? `HTTP ${response.status}`);
  return json;
}

const pct = (value) => (value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)}%`);
const score = (value) => (value === null || value === undefined ? "—" : value.toFixed(2));
const when = (iso) => (iso ? new Date(iso).toLocaleString() : "—");
const State = ({ state }) => html`<span class=${`badge state-${state}`}>${state.replace("_", " ")}</span>`;

function useHash() {
  const [hash, setHash] = useState(location.hash || "#/");
  useEffect(() => {
    const onChange = () => setHash(location.hash || "#/");
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return hash;
}

/** Fetches `path` again whenever `deps` change (the live tick among them). */
function useApi(path, deps, onSignedOut) {
  const [state, setState] = useState({ data: null, error: null });
  useEffect(() => {
    let live = true;
    if (!path) return undefined;
    api(path).then(
      (data) => live && setState({ data, error: null }),
      (error) => {
        if (error instanceof SignedOut) onSignedOut();
        else if (live) setState((previous) => ({ data: previous.data, error: error.message }));
      },
    );
    return () => {
      live = false;
    };
  }, [path, ...deps]);
  return state;
}

function SignIn({ onSignedIn }) {
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    const key = new FormData(event.target).get("key");
    try {
      const session = await api("/console/session", { method: "POST", body: { key } });
      onSignedIn(session);
    } catch (caught) {
      setError(caught.message);
    }
  };
  return html`<main>
    <h1>Breakwater console</h1>
    <form class="stack card" onSubmit=${submit} aria-label="Sign in">
      <label>Viewer or admin key
        <input name="key" type="password" autocomplete="current-password" required autofocus />
      </label>
      <button class="primary" type="submit">Sign in</button>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <p class="muted">The key is checked once; the browser keeps a signed session cookie, never the key.</p>
    </form>
  </main>`;
}

/** A tier's history: error rate, judge scores (0–1) and traffic (calls/s), with state bands and transitions. */
function TierChart({ tier, range, tick, onSignedOut }) {
  const { data, error } = useApi(`/v1/tiers/${encodeURIComponent(tier)}/series?range=${range}`, [tick], onSignedOut);
  const box = useRef(null);
  useEffect(() => {
    if (!data || !box.current) return undefined;
    const xs = data.points.map((p) => Date.parse(p.at) / 1000);
    const bands = data.points.map((p) => p.state);
    const marks = data.transitions.map((t) => Date.parse(t.at) / 1000);
    const shade = (u) => {
      const { ctx } = u;
      const top = u.bbox.top;
      const height = u.bbox.height;
      xs.forEach((x, i) => {
        const state = bands[i];
        if (state === "closed" || state === "shadow" || state === "forced_closed") return;
        const left = u.valToPos(x, "x", true);
        const right = u.valToPos(xs[i + 1] ?? x + data.step_s, "x", true);
        ctx.fillStyle = state === "half_open" ? "rgba(154,103,0,0.15)" : "rgba(180,35,24,0.15)";
        ctx.fillRect(left, top, Math.max(1, right - left), height);
      });
      ctx.strokeStyle = "rgba(15,39,64,0.7)";
      ctx.setLineDash([4, 4]);
      for (const x of marks) {
        const at = u.valToPos(x, "x", true);
        ctx.beginPath();
        ctx.moveTo(at, top);
        ctx.lineTo(at, top + height);
        ctx.stroke();
      }
      ctx.setLineDash([]);
    };
    const width = Math.max(280, box.current.clientWidth);
    const plot = new uPlot(
      {
        width,
        height: 220,
        scales: {
          x: { time: true, range: [Date.parse(data.from) / 1000, Date.parse(data.to) / 1000] },
          score: { range: [0, 1] },
        },
        axes: [
          {},
          { scale: "score", label: "rate / score" },
          { scale: "rps", side: 1, label: "calls/s", grid: { show: false } },
        ],
        series: [
          {},
          { label: "error rate", scale: "score", stroke: "#b42318", width: 2 },
          { label: "judge (recent)", scale: "score", stroke: "#0b5cad", width: 2 },
          { label: "judge (long)", scale: "score", stroke: "#7aa7d9", width: 1 },
          { label: "traffic", scale: "rps", stroke: "#1f7a3a", width: 1 },
        ],
        hooks: { drawClear: [shade] },
      },
      [
        xs,
        data.points.map((p) => p.error_rate),
        data.points.map((p) => p.judge_mean_recent),
        data.points.map((p) => p.judge_mean),
        data.points.map((p) => p.traffic_rps),
      ],
      box.current,
    );
    return () => plot.destroy();
  }, [data]);
  return html`<div class="card">
    <h2><a href=${`#/tiers/${encodeURIComponent(tier)}`}>${tier}</a></h2>
    ${error && html`<p class="error">${error}</p>`}
    <div class="chart" ref=${box} role="img" aria-label=${`${tier}: error rate, judge score and traffic over ${range}`}></div>
    <p class="muted"><span class="legend-key" style=${{ background: "rgba(180,35,24,0.3)" }}></span>open
      <span class="legend-key" style=${{ background: "rgba(154,103,0,0.3)" }}></span>half open · dashed lines: transitions
      ${data && ` · ${data.transitions.length} in range`}</p>
  </div>`;
}

function Ranges({ range, setRange }) {
  return html`<div class="ranges" role="group" aria-label="Time range">
    ${RANGES.map((r) => html`<button type="button" aria-pressed=${r === range} onClick=${() => setRange(r)}>${r}</button>`)}
  </div>`;
}

function Overview({ tick, events, onSignedOut }) {
  const [range, setRange] = useState("1h");
  const routes = useApi("/v1/routes", [], onSignedOut);
  const tiers = useApi("/v1/tiers", [tick], onSignedOut);
  if (!routes.data || !tiers.data) return html`<main><p>${routes.error ?? tiers.error ?? "Loading…"}</p></main>`;
  const byName = new Map(tiers.data.tiers.map((t) => [t.tier, t]));
  return html`<main>
    <h1>Overview</h1>
    ${routes.data.routes.map((route) => {
      const total = route.tiers.reduce((sum, name) => sum + (byName.get(name)?.windows.error.calls ?? 0), 0);
      return html`<section class="card" aria-label=${`Route ${route.route}`}>
        <h2>Route ${route.route}</h2>
        <div class="table-wrap"><table>
          <thead><tr><th>Tier</th><th>State</th><th class="hide-narrow">Reason</th><th>Error rate</th>
            <th>Judge (long / recent)</th><th>Traffic share</th><th class="hide-narrow">Since</th></tr></thead>
          <tbody>${route.tiers.map((name) => {
            const t = byName.get(name);
            if (!t) return null;
            const share = total > 0 ? t.windows.error.calls / total : null;
            return html`<tr>
              <td><a href=${`#/tiers/${encodeURIComponent(name)}`}>${name}</a><div class="muted">${t.provider} · ${t.model}</div></td>
              <td><${State} state=${t.state} />${t.cooling && html` <span class="badge state-half_open">cooling</span>`}</td>
              <td class="hide-narrow">${t.reason}</td>
              <td>${pct(t.windows.error.rate)}<div class="muted">${t.windows.error.calls} calls</div></td>
              <td>${score(t.windows.quality.mean)} / ${score(t.windows.quality_recent.mean)}</td>
              <td>${pct(share)}</td>
              <td class="hide-narrow">${when(t.since)}</td>
            </tr>`;
          })}</tbody>
        </table></div>
      </section>`;
    })}
    <h2>History</h2>
    <${Ranges} range=${range} setRange=${setRange} />
    <div class="grid">
      ${tiers.data.tiers.map((t) => html`<${TierChart} key=${t.tier} tier=${t.tier} range=${range} tick=${tick} onSignedOut=${onSignedOut} />`)}
    </div>
    <h2>Live events</h2>
    <div class="card events" aria-live="polite">
      ${events.length === 0 && html`<p class="muted">Nothing yet: transitions, overrides, verdicts and canary failures appear here as they happen.</p>`}
      <ul>${events.map(
        (e) => html`<li><strong>${e.type}</strong> ${e.tier} ${e.to ? `${e.from} → ${e.to}` : ""}
        ${e.score !== undefined && e.score !== null ? `score ${score(e.score)}` : ""} <span class="muted">${when(e.at)}</span></li>`,
      )}</ul>
    </div>
  </main>`;
}

function OverrideForm({ tier, onDone }) {
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const state = form.get("state");
    const minutes = Number(form.get("minutes"));
    if (!confirm(`Set ${tier} to ${state}? Every gateway follows at once, and the audit trail records it.`)) return;
    try {
      await api(`/v1/tiers/${encodeURIComponent(tier)}/state`, {
        method: "POST",
        body: { state, reason: form.get("reason"), ...(minutes > 0 && { expires_in_s: Math.round(minutes * 60) }) },
      });
      setError(null);
      event.target.reset();
      onDone();
    } catch (caught) {
      setError(caught.message);
    }
  };
  return html`<form class="inline card" onSubmit=${submit} aria-label="Operator override">
    <label>State
      <select name="state">
        <option value="forced_open">force open</option>
        <option value="forced_closed">force closed</option>
        <option value="shadow">shadow</option>
        <option value="auto">auto</option>
      </select></label>
    <label>Reason <input name="reason" required maxlength="500" /></label>
    <label>Expires in (minutes, optional) <input name="minutes" type="number" min="0" step="1" /></label>
    <button class="danger" type="submit">Apply</button>
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </form>`;
}

function TierPage({ tier, tick, admin, onSignedOut }) {
  const [range, setRange] = useState("1h");
  const [changed, setChanged] = useState(0);
  const name = encodeURIComponent(tier);
  const view = useApi(`/v1/tiers/${name}`, [tick, changed], onSignedOut);
  const decisions = useApi(`/v1/decisions?tier=${name}&limit=20`, [tick, changed], onSignedOut);
  const canaries = useApi(`/v1/tiers/${name}/canaries?limit=10`, [tick], onSignedOut);
  const verdicts = useApi(`/v1/judgements?tier=${name}&limit=10`, [tick], onSignedOut);
  const t = view.data;
  if (!t) return html`<main><p>${view.error ?? "Loading…"}</p></main>`;
  return html`<main>
    <h1>${tier} <${State} state=${t.state} /></h1>
    <div class="card">
      <p>${t.reason}</p>
      <p class="muted">${t.provider} · ${t.model} · generation ${t.generation} · since ${when(t.since)}</p>
      ${t.cooldown_until && html`<p>Cool-down until ${when(t.cooldown_until)}</p>`}
      ${t.ramp_share !== null && html`<p>Ramp: ${pct(t.ramp_share)} of traffic</p>`}
      ${t.cooling && html`<p>Cooling until ${when(t.cooling.until)}: ${t.cooling.reason}</p>`}
      ${t.override_expires_at && html`<p>Override expires ${when(t.override_expires_at)}</p>`}
    </div>
    <${Ranges} range=${range} setRange=${setRange} />
    <${TierChart} tier=${tier} range=${range} tick=${tick + changed} onSignedOut=${onSignedOut} />
    ${admin && html`<h2>Operator action</h2><${OverrideForm} tier=${tier} onDone=${() => setChanged((n) => n + 1)} />`}
    <h2>Decisions</h2>
    <div class="card table-wrap"><table aria-label="Decisions">
      <thead><tr><th>When</th><th>From → to</th><th>Reason and evidence</th><th class="hide-narrow">Actor</th></tr></thead>
      <tbody>${(decisions.data?.items ?? []).map(
        (d) => html`<tr>
        <td>${when(d.decided_at)}</td><td>${d.from} → ${d.to}</td>
        <td>${d.reason}<details><summary>evidence</summary><pre>${JSON.stringify(d.snapshot, null, 2)}</pre></details></td>
        <td class="hide-narrow">${d.actor}</td></tr>`,
      )}</tbody>
    </table>${decisions.error && html`<p class="error">${decisions.error}</p>`}</div>
    <h2>Canaries</h2>
    <div class="card table-wrap"><table aria-label="Canaries">
      <thead><tr><th>When</th><th>Kind</th><th>Passed</th><th class="hide-narrow">Expected / answer</th></tr></thead>
      <tbody>${(canaries.data?.items ?? []).map(
        (r) => html`<tr><td>${when(r.ran_at)}</td><td>${r.kind}</td>
        <td>${r.passed ? "yes" : html`<span class="error">no${r.error_class ? ` (${r.error_class})` : ""}</span>`}</td>
        <td class="hide-narrow">${r.expected} / ${r.answer ?? "—"}</td></tr>`,
      )}</tbody>
    </table></div>
    <h2>Recent verdicts</h2>
    <${VerdictTable} items=${verdicts.data?.items ?? []} />
  </main>`;
}

function VerdictTable({ items }) {
  return html`<div class="card table-wrap"><table aria-label="Verdicts">
    <thead><tr><th>Score</th><th>Tier</th><th class="hide-narrow">Route</th><th class="hide-narrow">Judge</th><th>Reason</th><th>When</th></tr></thead>
    <tbody>${items.map(
      (j) => html`<tr>
      <td><a href=${`#/judgements/${j.id}`}>${j.status === "scored" ? score(j.score) : "judge failed"}</a></td>
      <td>${j.tier}</td><td class="hide-narrow">${j.route ?? "—"}</td><td class="hide-narrow">${j.judge_model ?? "—"}</td>
      <td>${j.reason}</td><td>${when(j.judged_at)}</td></tr>`,
    )}</tbody>
  </table>${items.length === 0 && html`<p class="muted">No verdicts match.</p>`}</div>`;
}

function Agreement({ tick, onSignedOut }) {
  const { data } = useApi("/v1/judges/agreement", [tick], onSignedOut);
  return html`<div class="card table-wrap"><table aria-label="Judge agreement">
    <thead><tr><th>Judge</th><th>Reviewed</th><th>Agreed</th><th>Disputed</th><th>Agreement</th></tr></thead>
    <tbody>${(data?.judges ?? []).map(
      (j) => html`<tr><td>${j.judge_model}</td><td>${j.reviewed}</td><td>${j.agreed}</td>
      <td>${j.disputed}</td><td class="agreement-rate">${pct(j.agreement_rate)}</td></tr>`,
    )}</tbody>
  </table>${data && data.judges.length === 0 && html`<p class="muted">No verdict reviewed yet.</p>`}</div>`;
}

function Judgements({ tick, onSignedOut }) {
  const [query, setQuery] = useState("order=lowest_score&limit=50");
  const list = useApi(`/v1/judgements?${query}`, [tick], onSignedOut);
  const submit = (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(event.target)) {
      if (value === "") continue;
      params.set(key, key === "since" || key === "until" ? new Date(value).toISOString() : value);
    }
    params.set("limit", "50");
    setQuery(params.toString());
  };
  return html`<main>
    <h1>Judge history</h1>
    <form class="inline card" onSubmit=${submit} aria-label="Filter verdicts">
      <label>Route <input name="route" /></label>
      <label>Tier <input name="tier" /></label>
      <label>Judge model <input name="judge_model" /></label>
      <label>Min score <input name="min_score" type="number" min="0" max="1" step="0.05" /></label>
      <label>Max score <input name="max_score" type="number" min="0" max="1" step="0.05" /></label>
      <label>Status <select name="status"><option value="">any</option><option>scored</option><option>judge_failed</option></select></label>
      <label>Since <input name="since" type="datetime-local" /></label>
      <label>Until <input name="until" type="datetime-local" /></label>
      <label>Order <select name="order"><option value="lowest_score">lowest score first</option><option value="newest">newest first</option></select></label>
      <button class="primary" type="submit">Filter</button>
    </form>
    ${list.error && html`<p class="error" role="alert">${list.error}</p>`}
    <${VerdictTable} items=${list.data?.items ?? []} />
    <h2>Judges' agreement with reviewers</h2>
    <${Agreement} tick=${tick} onSignedOut=${onSignedOut} />
  </main>`;
}

/** An answer as the judge read it: tool calls as a list, JSON pretty-printed, text as text. */
function Answer({ text }) {
  if (text === null) return html`<p class="muted">Not stored (judge.store_redacted).</p>`;
  const calls = text.split("\n").filter((line) => line.startsWith("[tool call]"));
  if (calls.length > 0)
    return html`<ul aria-label="Tool calls">${calls.map((call) => html`<li><code>${call.slice(12)}</code></li>`)}</ul>`;
  try {
    return html`<pre aria-label="Structured output">${JSON.stringify(JSON.parse(text), null, 2)}</pre>`;
  } catch {
    return html`<pre>${text}</pre>`;
  }
}

function Verdict({ id, tick, admin, onSignedOut }) {
  const [changed, setChanged] = useState(0);
  const [error, setError] = useState(null);
  const { data } = useApi(`/v1/judgements/${encodeURIComponent(id)}`, [tick, changed], onSignedOut);
  if (!data) return html`<main><p>Loading…</p></main>`;
  const review = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    try {
      await api(`/v1/judgements/${encodeURIComponent(id)}/reviews`, {
        method: "POST",
        body: { verdict: event.submitter?.value ?? "agree", note: form.get("note") },
      });
      setError(null);
      event.target.reset();
      setChanged((n) => n + 1);
    } catch (caught) {
      setError(caught.message);
    }
  };
  return html`<main>
    <h1>Verdict ${data.status === "scored" ? score(data.score) : "(judge failed)"} on ${data.tier}</h1>
    <div class="card">
      <p><strong>Judge:</strong> ${data.judge_model ?? "—"} (${data.judge_vendor ?? "—"}) · <strong>rubric</strong> ${data.rubric_version ?? "—"}
        · <strong>sampled</strong> ${data.sample_reason} · ${when(data.judged_at)}</p>
      <p><strong>Reason:</strong> ${data.reason}</p>
      <p class="muted">Route ${data.route ?? "—"} · request ${data.request_id}</p>
    </div>
    <div class="grid">
      <div class="card"><h2>Prompt</h2>${data.prompt === null ? html`<p class="muted">Not stored.</p>` : html`<pre>${data.prompt}</pre>`}</div>
      <div class="card"><h2>Answer</h2><${Answer} text=${data.answer} /></div>
    </div>
    <h2>Reviews</h2>
    <div class="card">
      <ul>${data.reviews.map((r) => html`<li><strong>${r.verdict}</strong> by ${r.reviewer} ${when(r.reviewed_at)}${r.note && ` — ${r.note}`}</li>`)}</ul>
      ${data.reviews.length === 0 && html`<p class="muted">Not reviewed yet.</p>`}
      ${
        admin &&
        data.status === "scored" &&
        html`<form class="stack" onSubmit=${review} aria-label="Review this verdict">
        <label>Note <textarea name="note" maxlength="2000" rows="2"></textarea></label>
        <div><button class="primary" type="submit" value="agree">Agree</button> <button type="submit" value="dispute">Dispute</button></div>
        ${error && html`<p class="error" role="alert">${error}</p>`}
      </form>`
      }
    </div>
  </main>`;
}

function App() {
  const [session, setSession] = useState(undefined);
  const [tick, setTick] = useState(0);
  const [events, setEvents] = useState([]);
  const hash = useHash();
  const signedOut = () => setSession(null);

  useEffect(() => {
    api("/console/session").then(
      (found) => {
        csrf = found.csrf;
        setSession(found);
      },
      () => setSession(null),
    );
  }, []);

  // Live: every event refreshes what is on screen (at most every 300 ms), and joins the list.
  useEffect(() => {
    if (!session) return undefined;
    const source = new EventSource("/v1/events");
    let pending;
    const onEvent = (message) => {
      const event = JSON.parse(message.data);
      setEvents((list) => [event, ...list].slice(0, 50));
      clearTimeout(pending);
      pending = setTimeout(() => setTick((n) => n + 1), 300);
    };
    for (const type of ["transition", "override", "verdict", "canary_failed"]) source.addEventListener(type, onEvent);
    return () => source.close();
  }, [session]);

  if (session === undefined) return html`<main><p>Loading…</p></main>`;
  if (session === null) {
    return html`<${SignIn} onSignedIn=${(found) => {
      csrf = found.csrf;
      setSession(found);
    }} />`;
  }
  const admin = session.kinds.includes("admin");
  const signOut = async () => {
    await api("/console/sign-out", { method: "POST" }).catch(() => {});
    setSession(null);
  };
  const page = hash.startsWith("#/tiers/")
    ? html`<${TierPage} tier=${decodeURIComponent(hash.slice(8))} tick=${tick} admin=${admin} onSignedOut=${signedOut} />`
    : hash.startsWith("#/judgements/")
      ? html`<${Verdict} id=${decodeURIComponent(hash.slice(13))} tick=${tick} admin=${admin} onSignedOut=${signedOut} />`
      : hash === "#/judgements"
        ? html`<${Judgements} tick=${tick} onSignedOut=${signedOut} />`
        : html`<${Overview} tick=${tick} events=${events} onSignedOut=${signedOut} />`;
  return html`<header>
      <a href="#/" aria-current=${hash === "#/" ? "page" : undefined}>Breakwater</a>
      <a href="#/judgements" aria-current=${hash === "#/judgements" ? "page" : undefined}>Judge history</a>
      <span class="who">${session.name} (${session.kinds.join(", ")})</span>
      <button type="button" onClick=${signOut}>Sign out</button>
    </header>
    ${page}`;
}

render(html`<${App} />`, document.getElementById("app"));
