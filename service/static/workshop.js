// The workshop page while a synthesis runs: the status and each axis' state refresh every 2 s, without
// reloading (the page itself is fetched and its two live parts swapped in: server-rendered, already escaped).
(function () {
  'use strict';
  var axes = document.getElementById('axes-list');
  if (!axes || !axes.dataset.live) { return; }
  function refresh() {
    fetch(window.location.href, {credentials: 'same-origin', headers: {'Accept': 'text/html'}})
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html');
        ['synthesis-status', 'axes-list'].forEach(function (id) {
          var now = document.getElementById(id), next = fresh.getElementById(id);
          if (now && next) { now.replaceWith(document.importNode(next, true)); }
        });
        var list = document.getElementById('axes-list');
        if (list && list.dataset.live) { window.setTimeout(refresh, 2000); }
      })
      .catch(function () { window.setTimeout(refresh, 5000); });
  }
  window.setTimeout(refresh, 2000);
}());
