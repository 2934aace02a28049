// Clicking a map point shows its text (textContent: post-its are never parsed as HTML).
document.querySelectorAll('.axis-map .point').forEach(function (g) {
  function show() { document.getElementById('map-reading').textContent = g.dataset.text; }
  g.addEventListener('click', show); g.addEventListener('focus', show);
});
