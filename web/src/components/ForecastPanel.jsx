// The forecast: GET /api/v1/forecast (being built).  Until the server answers it,
// the panel says so rather than drawing numbers it does not have.
export function ForecastPanel() {
	return (
		<section class="panel dash-panel" aria-labelledby="forecast-h">
			<h2 id="forecast-h">Forecast</h2>
			<p class="muted">The forecast is not available on this server yet.</p>
		</section>
	);
}
