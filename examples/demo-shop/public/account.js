// The account page's glue: hand the enrolment token to the shop backend, show the outcome.
const enrol = document.getElementById('enrol');
const status = document.getElementById('face-status');

enrol.addEventListener('facepay-verified', async (event) => {
  const response = await fetch('/account/enrolled', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: event.detail.token }),
  });
  const result = await response.json();
  if (result.status === 'enrolled') {
    status.dataset.faceStatus = 'enrolled';
    status.textContent = 'Face payment is set up: payments must match your face.';
  } else {
    status.textContent = `Face payment could not be set up (${result.error?.code ?? response.status}).`;
  }
});

enrol.addEventListener('facepay-failed', (event) => {
  status.textContent = `Face payment was not set up: ${event.detail.reasons.join(', ')}. Try again.`;
});
