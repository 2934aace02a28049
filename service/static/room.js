// The projector page: every 2 s, the room's tallies are read again and the counts set in place
// (textContent only: texts are never parsed as HTML). A new item reloads the page once.
(function () {
  'use strict';
  var table = document.getElementById('tallies');
  if (!table) { return; }
  function refresh() {
    fetch(table.dataset.url, {credentials: 'same-origin', headers: {Accept: 'application/json'}})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        var n = data.participants;
        document.getElementById('participants').textContent =
          (n === 1 ? table.dataset.one : table.dataset.other).replace('{n}', n);
        var missing = false;
        data.items.forEach(function (t) {
          var row = document.getElementById('t-' + t.id);
          if (!row) { missing = true; return; }
          row.querySelector('.agrees').textContent = t.agrees;
          row.querySelector('.disagrees').textContent = t.disagrees;
          row.querySelector('.passes').textContent = t.passes;
          row.classList.toggle('divided', t.divided);
        });
        var added = document.getElementById('room-postits');
        added.replaceChildren.apply(added, data.postits.map(function (text) {
          var li = document.createElement('li'); li.textContent = text; return li;
        }));
        if (missing) { window.location.reload(); return; }
        window.setTimeout(refresh, 1000);
      })
      .catch(function () { window.setTimeout(refresh, 5000); });
  }
  window.setTimeout(refresh, 1000);
}());
