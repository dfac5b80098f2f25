"""The Safety Heatmap API: reports become counters in geohash cells; the heatmap reads them back."""
