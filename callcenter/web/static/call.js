// "从此处收听": play the whole-call recording from the moment of a timeline event.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-seek]");
  const player = document.getElementById("whole-call");
  if (!button || !player) return;
  const seek = parseFloat(button.dataset.seek);
  const start = () => { player.currentTime = seek; player.play(); };
  if (player.readyState >= 1) start();
  else { player.addEventListener("loadedmetadata", start, { once: true }); player.load(); }
});
