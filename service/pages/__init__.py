"""The HTML pages facilitators use (review, discussion): above the domains they render."""
