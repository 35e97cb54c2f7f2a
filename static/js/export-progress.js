// Enhancement for "Your statistics downloads": while a download is being prepared, fetch the page
// again every few seconds and swap in the table, so progress shows without pressing "Refresh".
// Without JavaScript the page works the same with its Refresh link. A static file: the CSP
// forbids inline script.
(function () {
  'use strict'
  var INTERVAL_MS = 5000
  var MAX_POLLS = 120 // ten minutes, then the Refresh link is there as before

  var polls = 0

  function table (doc) {
    return doc.getElementById('exports')
  }

  function poll () {
    polls += 1
    if (!table(document) || polls > MAX_POLLS || !window.fetch || !window.DOMParser) {
      return
    }
    window.fetch(window.location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (response) {
        if (!response.ok) { throw new Error('status ' + response.status) }
        return response.text()
      })
      .then(function (html) {
        var fresh = table(new window.DOMParser().parseFromString(html, 'text/html'))
        var current = table(document)
        if (!fresh || !current) { return }
        current.replaceWith(fresh)
        if (fresh.hasAttribute('data-exports-unfinished')) {
          window.setTimeout(poll, INTERVAL_MS)
        } else {
          var status = document.getElementById('exports-status')
          if (status) { status.textContent = 'Your downloads have finished preparing.' }
        }
      })
      .catch(function () { /* leave the page as it is: the Refresh link still works */ })
  }

  if (table(document) && table(document).hasAttribute('data-exports-unfinished')) {
    window.setTimeout(poll, INTERVAL_MS)
  }
})()
