// Live re-screen progress: poll the job's JSON once a second and update the bar in place.
// Without JavaScript the page refreshes itself (meta refresh in a noscript block).
(function () {
  "use strict";
  var section = document.getElementById("job");
  if (!section) { return; }
  var bar = document.getElementById("job-progress");
  var text = document.getElementById("job-text");
  function show(job) {
    var processed = job.done + job.failed;
    bar.max = Math.max(job.total, 1);
    bar.value = processed;
    var eta = job.eta_seconds === null ? "" : "; about " + Math.round(job.eta_seconds) + " s left";
    text.textContent = job.done + " screened, " + job.failed + " failed, " + job.total + " found" +
      (job.paging_done ? "" : " so far") + eta + ".";
  }
  function poll() {
    fetch(section.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        show(job);
        if (job.status === "running") { setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
