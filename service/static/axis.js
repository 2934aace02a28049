// The axis page's behaviour. Post-its and comments are always set with textContent, never parsed as HTML.
(function () {
  'use strict';

  // The map: a point shows its post-it on click or keyboard focus.
  document.querySelectorAll('.axis-map .point').forEach(function (g) {
    function show() { document.getElementById('map-reading').textContent = g.dataset.text; }
    g.addEventListener('click', show); g.addEventListener('focus', show);
  });

  // Citations: focusing or choosing a superscript lists its sentence's sources in the side panel.
  var panel = document.getElementById('sources-list');
  function showSources(where) {
    var list = document.querySelector('#sources-' + where + ' ol');
    if (!panel || !list) { return; }
    panel.replaceChildren(list.cloneNode(true));
    document.getElementById('sources-hint').hidden = true;
  }
  document.querySelectorAll('a.cite').forEach(function (a) {
    a.addEventListener('focus', function () { showSources(a.dataset.sources); });
    a.addEventListener('click', function (e) {
      e.preventDefault();
      showSources(a.dataset.sources);
      var details = document.getElementById('sources-' + a.dataset.sources);
      if (details) {
        details.open = true;
        var about = details.closest('details.about');  // a pitch sentence's sources sit in its folded details
        if (about) { about.open = true; }
      }
    });
  });

  // Discussion: threads refresh every few seconds, so each reviewer sees the others' comments.
  var counter = document.getElementById('open-threads');
  if (!counter) { return; }
  var axis = counter.dataset.axis;
  var csrf = (document.querySelector('input[name=csrf]') || {}).value || '';
  // The page's language and its words come from the server's catalogs, carried on the counter's data attributes.
  var words = counter.dataset;
  var DATE = new Intl.DateTimeFormat(words.locale || 'fr', {day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit'});
  // n == 1 is singular, as the server's gettext catalogs say (fr, en and de alike)
  function counted(one, other, n) { return (n === 1 ? one : other).replace('{n}', n); }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function resolveForm(m) {
    var form = el('form', 'inline resolve-form');
    form.method = 'post';
    form.action = '/review/comments/' + m.id + '/' + (m.resolved ? 'reopen' : 'resolve');
    var token = el('input'); token.type = 'hidden'; token.name = 'csrf'; token.value = csrf;
    var button = el('button', '', m.resolved ? words.reopen : words.resolve); button.type = 'submit';
    form.append(token, button);
    return form;
  }

  function commentItem(m) {
    var li = el('li', 'comment' + (m.reply_to ? ' reply' : '') + (m.resolved ? ' resolved' : ''));
    li.id = 'comment-' + m.id;
    var time = el('time', '', DATE.format(new Date(m.created_at))); time.dateTime = m.created_at;
    li.append(el('strong', 'who', m.author), ' ', time, el('p', 'body', m.body));
    if (!m.reply_to) {
      li.append(resolveForm(m));
      if (m.resolved) { li.append(' ', el('span', 'badge approved', words.resolvedBy.replace('{who}', m.resolved_by))); }
    }
    return li;
  }

  function render(data) {
    var byThread = {};
    data.comments.forEach(function (m) {
      var key = m.target + ':' + m.target_id + ':' + (m.anchor || '');
      (byThread[key] = byThread[key] || []).push(m);
    });
    document.querySelectorAll('details.thread').forEach(function (thread) {
      var items = byThread[thread.dataset.thread] || [];
      var list = thread.querySelector('ul.comments');
      var open = items.filter(function (m) { return !m.reply_to && !m.resolved; }).length;
      list.replaceChildren.apply(list, items.map(commentItem));
      // the box answers the open thread, or starts a new one once every thread is resolved
      var roots = items.filter(function (m) { return !m.reply_to && !m.resolved; });
      var root = roots.length ? roots[roots.length - 1].id : '';
      thread.querySelector('input[name=reply_to]').value = root;
      thread.querySelector('.new-thread').hidden = Boolean(root);
      thread.querySelector('.answer').hidden = !root;
      thread.querySelector('.count').textContent = '(' + counted(words.threadOne, words.threadOther, open) + ')';
      if (items.length) { thread.open = true; }
    });
    counter.textContent = counted(words.openOne, words.openOther, data.open);
    document.getElementById('open-count').textContent = data.open;
  }

  function refresh() {
    return fetch('/review/axes/' + axis + '/comments', {credentials: 'same-origin', headers: {Accept: 'application/json'}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { render(data); } })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }

  // Posting without leaving the page: the same form, sent with fetch, then the threads refreshed.
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form.classList.contains('comment-form') && !form.classList.contains('resolve-form')) { return; }
    e.preventDefault();
    fetch(form.action, {method: 'POST', body: new URLSearchParams(new FormData(form)), credentials: 'same-origin'})
      .then(function (r) {
        if (r.ok && form.classList.contains('comment-form')) { form.reset(); }
        return refresh();
      });
  });

  setInterval(refresh, 2000);
})();
