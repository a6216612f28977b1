// The agent screen, live: server-sent events carry the screen's data (agent_screen.py);
// this draws them into the page the server rendered. Text only, never HTML.
(() => {
  const panel = document.getElementById("takeover");
  if (!panel) return;
  const none = document.getElementById("no-takeover");
  const byId = (id) => document.getElementById(id);
  let shown = null; // id of the takeover on screen, so a typed note survives updates

  const text = (id, value) => { const el = byId(id); if (el) el.textContent = value ?? ""; };

  function drawAgent(agent) {
    text("phone-state", agent.phone);
    text("ready-state", agent.ready ? "就绪" : "未就绪");
  }

  function drawTakeover(t) {
    panel.hidden = !t;
    none.hidden = !!t;
    if (!t) { shown = null; return; }
    text("tk-state", t.state_label);
    byId("tk-flag").hidden = !t.misconduct;
    text("tk-applicant", t.applicant);
    text("tk-phone", t.phone);
    text("tk-unit", t.unit);
    text("tk-matter", t.matter);
    text("tk-date", t.completed_on);
    text("tk-case", t.case_no);
    text("tk-rule", t.rule);
    text("tk-fired", t.fired_at);
    const list = byId("tk-answers");
    list.replaceChildren(...t.answers.map((a) => {
      const li = document.createElement("li");
      const label = document.createElement("span");
      label.className = "label";
      label.textContent = a.label;
      const value = document.createElement("span");
      value.className = "value";
      value.textContent = a.value;
      li.append(label, "：", value);
      return li;
    }));
    const form = byId("tk-form");
    form.action = `/agent/takeovers/${t.id}/outcome`;
    form.hidden = !t.can_record;
    if (shown !== t.id) { byId("tk-note").value = ""; shown = t.id; }
    panel.dataset.state = t.state;
    panel.dataset.takeover = String(t.id);
  }

  const source = new EventSource(panel.dataset.live);
  source.addEventListener("state", (event) => {
    const state = JSON.parse(event.data);
    drawAgent(state.agent);
    drawTakeover(state.takeover);
    document.body.dataset.live = "connected";
  });
  source.addEventListener("error", () => { document.body.dataset.live = "reconnecting"; });
})();
