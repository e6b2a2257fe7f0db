"""The shell every service shares: settings, serde, topics, runtime."""
