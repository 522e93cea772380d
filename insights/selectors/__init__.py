"""Read-side queries for dashboards, drill-downs, improvements and the intake's customer view."""
