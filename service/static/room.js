// The projector page: every second the room's tallies are read again and the map updated in place
// (textContent only: texts are never parsed as HTML; each axis's picture is an image, reloaded when
// its version changes). A new item reloads the page once.
(function () {
  'use strict';
  var map = document.getElementById('tallies');
  if (!map) { return; }
  function items(list, texts) {
    list.replaceChildren.apply(list, texts.map(function (text) {
      var li = document.createElement('li'); li.textContent = text; return li;
    }));
  }
  function refresh() {
    fetch(map.dataset.url, {credentials: 'same-origin', headers: {Accept: 'application/json'}})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        var n = data.participants;
        document.getElementById('participants').textContent =
          (n === 1 ? map.dataset.one : map.dataset.other).replace('{n}', n);
        var missing = false;
        data.items.forEach(function (t) {
          var card = document.getElementById('t-' + t.id);
          if (!card) { missing = true; return; }
          card.querySelector('.agrees').textContent = t.agrees;
          card.querySelector('.disagrees').textContent = t.disagrees;
          card.querySelector('.passes').textContent = t.passes;
          card.classList.toggle('divided', t.divided);
          card.querySelector('.split').hidden = !t.divided;
        });
        map.querySelectorAll('ul.added').forEach(function (list) {
          items(list, data.added.filter(function (a) { return a.axis === list.dataset.axis; })
            .map(function (a) { return a.text; }));
        });
        items(document.getElementById('room-postits'), data.postits);
        // A map is an image of its own: asked for again only when what it draws changed.
        map.querySelectorAll('img.axis-map').forEach(function (img) {
          if (img.dataset.version !== data.map_version) {
            img.dataset.version = data.map_version;
            img.src = img.dataset.src + '?v=' + encodeURIComponent(data.map_version);
          }
        });
        if (missing) { window.location.reload(); return; }
        window.setTimeout(refresh, 1000);
      })
      .catch(function () { window.setTimeout(refresh, 5000); });
  }
  window.setTimeout(refresh, 1000);
}());
