// The supervisor's page reloads when a takeover or an agent changes (server-sent events).
(() => {
  const live = document.getElementById("live");
  if (!live) return;
  let pending = null;
  const source = new EventSource(live.dataset.live);
  source.addEventListener("changed", () => {
    if (pending) return;
    pending = setTimeout(() => window.location.reload(), 300);
  });
})();
